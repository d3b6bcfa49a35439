"""The deployment kit: Dockerfile, compose.yaml, .env.example, deploy/kubernetes.

No container engine or cluster is needed, nor the network: the Kubernetes JSON
schemas come bundled in kubernetes-validate, the Compose specification's schema
vendored in check-jsonschema. Past the schemas, the things a schema cannot see:
who the containers run as, that SIGTERM reaches the server and that it gets to
finish draining, that the probes ask the gRPC port, that the image is built by
the Makefile's own targets, and that every AURUM_* value is one the server takes.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shlex
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pydantic
import pytest
import yaml

from aurum_ml.settings import Settings
from aurum_ml.testing import ROOT

K8S_DIR = ROOT / "deploy" / "kubernetes"
# gRPC probes are GA from 1.27; check against that and the newest bundled schemas.
K8S_VERSIONS = ("1.27", kubernetes_validate.latest_version())
# The server's defaults, which the image keeps and the manifests must match.
GRPC_PORT = Settings.model_fields["grpc_port"].default
DEFAULT_SHUTDOWN_GRACE_S = Settings.model_fields["shutdown_grace_s"].default


# ---- loading ----------------------------------------------------------------


@cache
def _compose_schema() -> dict[str, Any]:
    vendored = files("check_jsonschema") / "builtin_schemas" / "vendor" / "compose-spec.json"
    return json.loads(vendored.read_text())


def _compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def _k8s_files() -> list[Path]:
    return sorted(p for p in K8S_DIR.glob("*.yaml") if p.name != "kustomization.yaml")


def _k8s_docs() -> list[dict[str, Any]]:
    return [doc for p in _k8s_files() for doc in yaml.safe_load_all(p.read_text()) if doc]


def _k8s(kind: str, name: str | None = None) -> dict[str, Any]:
    found = [
        d
        for d in _k8s_docs()
        if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)
    ]
    assert len(found) == 1, f"expected one {kind} {name or ''} in {K8S_DIR}, found {len(found)}"
    return found[0]


def _container(deployment: dict[str, Any]) -> dict[str, Any]:
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    return container


def _env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of a .env file (no quoting used there)."""
    env = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, sep, value = line.partition("=")
            assert sep, f"{path.name}: not KEY=VALUE: {line!r}"
            env[key.strip()] = value.strip()
    return env


def _settings(env: dict[str, str], monkeypatch: pytest.MonkeyPatch, where: str) -> Settings:
    """The server's Settings from exactly these variables, as the container gets
    them; a name the server does not know fails (it would be silently ignored)."""
    known = {f"AURUM_{name.upper()}" for name in Settings.model_fields}
    unknown = sorted(k for k in env if k.startswith("AURUM_") and k not in known)
    assert not unknown, f"{where}: no such setting {unknown}"
    with monkeypatch.context() as m:
        for key in [k for k in os.environ if k.startswith("AURUM_")]:
            m.delenv(key)
        for key, value in env.items():
            m.setenv(key, value)
        try:
            return Settings()
        except pydantic.ValidationError as e:
            problem = f"{where}: {e}"
    pytest.fail(problem, pytrace=False)


def _duration_s(text: str | int | float) -> float:
    """A Compose duration ("45s", "1m30s", "500ms") in seconds."""
    if isinstance(text, int | float):
        return float(text)
    units = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001, "us": 1e-6}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|us|h|m|s)", text)
    assert parts and "".join(n + u for n, u in parts) == text, f"not a duration: {text!r}"
    return sum(float(n) * units[u] for n, u in parts)


# ---- the Dockerfile ---------------------------------------------------------


@dataclass
class _Stage:
    name: str
    base: str
    instructions: list[tuple[str, str]] = field(default_factory=list)


def _dockerfile_stages() -> dict[str, _Stage]:
    """Stages by name, each with its instructions (comments dropped, continuation
    lines joined), in file order."""
    logical: list[str] = []
    pending = ""
    for raw in (ROOT / "Dockerfile").read_text().splitlines():
        if raw.lstrip().startswith("#") or not raw.strip():
            continue  # Docker drops comment lines, even inside a continued RUN
        if raw.rstrip().endswith("\\"):
            pending += raw.rstrip()[:-1] + " "
            continue
        logical.append(pending + raw.strip())
        pending = ""
    stages: dict[str, _Stage] = {}
    current: _Stage | None = None
    for line in logical:
        keyword, _, args = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            m = re.fullmatch(r"(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?", args.strip(), re.IGNORECASE)
            assert m, f"cannot read FROM {args}"
            current = _Stage(name=m.group(2) or str(len(stages)), base=m.group(1))
            stages[current.name] = current
        elif current is not None:
            current.instructions.append((keyword, " ".join(args.split())))
    return stages


def _chain(stages: dict[str, _Stage], target: str) -> list[tuple[str, str]]:
    """A target's instructions, its parent stages' first (what it inherits)."""
    stage = stages[target]
    inherited = _chain(stages, stage.base) if stage.base in stages else []
    return inherited + stage.instructions


def _last(chain: list[tuple[str, str]], keyword: str) -> str:
    values = [args for kw, args in chain if kw == keyword]
    assert values, f"no {keyword}"
    return values[-1]


def _dockerfile_env(chain: list[tuple[str, str]]) -> dict[str, str]:
    env: dict[str, str] = {}
    for kw, args in chain:
        if kw == "ENV":
            for word in shlex.split(args):
                key, _, value = word.partition("=")
                env[key] = value
    return env


def _image_user(target: str) -> tuple[int, int]:
    user = _last(_chain(_dockerfile_stages(), target), "USER")
    m = re.fullmatch(r"(\d+):(\d+)", user)
    # Numeric, or Kubernetes' runAsNonRoot cannot verify it and refuses the pod.
    assert m, f"USER {user!r} in target {target} must be numeric uid:gid"
    return int(m.group(1)), int(m.group(2))


def _makefile_prerequisites(target: str) -> list[str]:
    m = re.search(rf"^{re.escape(target)}:([^#\n]*)", (ROOT / "Makefile").read_text(), re.M)
    assert m, f"no {target} target in the Makefile"
    return m.group(1).split()


def _makefile_recipe(target: str) -> list[str]:
    m = re.search(rf"^{re.escape(target)}:.*\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.M)
    assert m, f"no recipe for {target} in the Makefile"
    return [line.strip() for line in m.group(1).splitlines()]


@pytest.mark.parametrize("target", ["cpu", "gpu"])
def test_image_runs_as_a_fixed_non_root_user(target):
    uid, gid = _image_user(target)
    assert uid != 0 and gid != 0
    chain = _chain(_dockerfile_stages(), target)
    runs = " ".join(args for kw, args in chain if kw == "RUN")
    # The user owns /data (the one place it writes), set before VOLUME freezes it.
    assert f"chown {uid}:{gid} /data" in runs
    keywords = [kw for kw, _ in chain]
    chown_at = next(i for i, (kw, a) in enumerate(chain) if kw == "RUN" and "/data" in a)
    assert chown_at < keywords.index("VOLUME")
    assert _dockerfile_env(chain)["AURUM_DATA_DIR"] == "/data"


@pytest.mark.parametrize("target", ["cpu", "gpu"])
def test_image_serves_in_exec_form_and_checks_grpc_health(target):
    chain = _chain(_dockerfile_stages(), target)
    cmd = json.loads(_last(chain, "CMD"))  # shell form would not parse as JSON
    assert isinstance(cmd, list)
    # What `make run` runs, minus the venv path (the image puts .venv/bin on PATH).
    (run_recipe,) = _makefile_recipe("run")
    assert Path(shlex.split(run_recipe)[0]).name == cmd[0] == "aurum-ml"
    assert cmd[1:] == shlex.split(run_recipe)[1:] == ["serve"]
    assert _dockerfile_env(chain)["PATH"].startswith("/app/.venv/bin:")

    healthcheck = _last(chain, "HEALTHCHECK")
    probe = json.loads(healthcheck.split(" CMD ", 1)[1])
    assert probe[:2] == ["aurum-ml", "health"]
    assert probe[probe.index("--target") + 1].endswith(f":{GRPC_PORT}")
    assert _dockerfile_env(chain)["AURUM_GRPC_PORT"] == str(GRPC_PORT)


def test_image_is_built_by_the_makefile_targets_behind_make_run():
    stages = _dockerfile_stages()
    makes = [
        shlex.split(args)
        for stage in stages.values()
        for kw, args in stage.instructions
        if kw == "RUN" and re.search(r"(^|&& )make ", args)
    ]
    assert len(makes) == 1, "one `make` step, in the build stage"
    (words,) = makes
    targets = words[1 : words.index("&&")] if "&&" in words else words[1:]
    # `make run` also installs grpcurl, the client the README's examples use
    # beside it; the image only serves, so it has none.
    behind_run = [t for t in _makefile_prerequisites("run") if t != "$(GRPCURL)"]
    assert targets == behind_run == ["install-runtime", "models"]
    # Both images are built from that stage.
    for target in ("cpu", "gpu"):
        sources = re.findall(
            r"--from=(\S+)", " ".join(a for kw, a in _chain(stages, target) if kw == "COPY")
        )
        assert len(sources) == 1 and stages[sources[0]].base == "build", target


def test_gpu_is_the_default_target_and_cpu_has_no_cuda():
    stages = _dockerfile_stages()
    assert list(stages)[-1] == "gpu", "`docker build .` builds the last stage"
    cpu = _chain(stages, "cpu")
    assert _dockerfile_env(cpu)["AURUM_PROVIDERS"] == "CPUExecutionProvider"
    assert "LD_LIBRARY_PATH" not in _dockerfile_env(cpu)
    assert "LD_LIBRARY_PATH" in _dockerfile_env(_chain(stages, "gpu"))
    # The CPU image swaps in onnxruntime at onnxruntime-gpu's version: pyproject
    # must pin both wheels to one version.
    pins = dict(
        re.findall(r'"(onnxruntime(?:-gpu)?)==([^;"]+);', (ROOT / "pyproject.toml").read_text())
    )
    assert pins.keys() == {"onnxruntime", "onnxruntime-gpu"}
    assert pins["onnxruntime"] == pins["onnxruntime-gpu"]


def test_image_settings_are_real_settings(monkeypatch):
    for target in ("cpu", "gpu"):
        env = _dockerfile_env(_chain(_dockerfile_stages(), target))
        aurum = {k: v for k, v in env.items() if k.startswith("AURUM_")}
        _settings(aurum, monkeypatch, f"Dockerfile target {target}")


def test_dockerignore_keeps_local_state_out_of_the_build_context():
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    for entry in (".git", ".venv", "**/node_modules", "data", ".env", "models/*"):
        assert entry in ignored, entry
    assert "!models/manifest.json" in ignored


# ---- compose.yaml -----------------------------------------------------------


def _where(error: jsonschema.ValidationError) -> str:
    return ".".join(str(p) for p in error.absolute_path) or "(top level)"


def test_compose_file_follows_the_compose_specification():
    validator = jsonschema.Draft202012Validator(_compose_schema())
    error = jsonschema.exceptions.best_match(validator.iter_errors(_compose()))
    if error is not None:
        pytest.fail(f"compose.yaml: {_where(error)}: {error.message}", pytrace=False)


def test_compose_schema_catches_a_broken_file():
    """The check above is not vacuous: a misspelt key and a wrong type fail."""
    broken = _compose()
    broken["services"]["aurum-ml"]["stop_grace_periods"] = "45s"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, _compose_schema())
    broken = _compose()
    broken["services"]["redis"]["healthcheck"]["test"] = {"cmd": "redis-cli ping"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, _compose_schema())


def test_compose_server_settings_parse(monkeypatch):
    service = _compose()["services"]["aurum-ml"]
    example = _env_file(ROOT / ".env.example")
    env = {**example, **{k: str(v) for k, v in service["environment"].items()}}
    settings = _settings(env, monkeypatch, "compose.yaml + .env.example")
    # Replicas share one Qdrant server and one Redis: never the embedded store.
    assert settings.qdrant_url == "http://qdrant:6333"
    assert settings.queue_redis_url == "redis://redis:6379/0"
    # compose.yaml's environment wins over the env_file; keep .env.example honest.
    assert not set(example) & set(service["environment"]), "set in compose.yaml already"
    commented = re.findall(r"^#\s*(AURUM_\w+)=", (ROOT / ".env.example").read_text(), re.M)
    known = {f"AURUM_{n.upper()}" for n in Settings.model_fields}
    assert set(commented) <= known, sorted(set(commented) - known)


def test_compose_server_outlives_its_drain_and_runs_as_the_image_user(monkeypatch):
    service = _compose()["services"]["aurum-ml"]
    grace = float(service["environment"].get("AURUM_SHUTDOWN_GRACE_S", DEFAULT_SHUTDOWN_GRACE_S))
    assert _duration_s(service["stop_grace_period"]) > grace
    assert service["build"]["target"] == "cpu"
    uid, gid = _image_user("cpu")
    assert service["user"] == f"{uid}:{gid}"
    assert service["read_only"] is True
    assert [v.split(":")[1] for v in service["volumes"]] == ["/data"]
    probe = service["healthcheck"]["test"]
    assert probe[:3] == ["CMD", "aurum-ml", "health"]
    assert probe[probe.index("--target") + 1].endswith(f":{GRPC_PORT}")
    assert {"redis", "qdrant"} <= set(service["depends_on"])


def test_compose_server_can_scale():
    """`docker compose up --scale aurum-ml=3`: a fixed host port would be taken
    by the first replica and refuse the others."""
    service = _compose()["services"]["aurum-ml"]
    assert "container_name" not in service
    for port in service["ports"]:
        assert isinstance(port, dict) and "published" not in port, port
    assert {p["target"] for p in service["ports"]} >= {GRPC_PORT}


def test_compose_redis_keeps_jobs():
    redis = _compose()["services"]["redis"]
    args = redis["command"]
    assert args[args.index("--maxmemory-policy") + 1] == "noeviction"  # BullMQ requires it
    assert args[args.index("--appendonly") + 1] == "yes"
    assert any(v.endswith(":/data") for v in redis["volumes"])
    assert redis["healthcheck"]["test"]


def test_compose_qdrant_keeps_faces():
    qdrant = _compose()["services"]["qdrant"]
    assert qdrant["image"].startswith("qdrant/qdrant:v")  # a pinned official image
    assert any(v.endswith(":/qdrant/storage") for v in qdrant["volumes"])
    assert "6333" in " ".join(qdrant["healthcheck"]["test"])


# ---- deploy/kubernetes ------------------------------------------------------


@pytest.mark.parametrize("version", K8S_VERSIONS)
@pytest.mark.parametrize("path", _k8s_files(), ids=lambda p: p.name)
def test_kubernetes_manifest_follows_the_schema(path, version):
    docs = [d for d in yaml.safe_load_all(path.read_text()) if d]
    assert docs, f"{path.name} is empty"
    failures = []
    for doc in docs:
        # strict: an unknown (misspelt) field fails too. A kind without a
        # schema raises SchemaNotFoundError, so nothing passes unchecked.
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as e:
            name = f"{doc['kind']} {doc['metadata']['name']}"
            failures.append(f"{path.name}: {name}, Kubernetes {version}: {_where(e)}: {e.message}")
    if failures:  # outside the except: the schema itself is too long to print
        pytest.fail("\n".join(failures), pytrace=False)


def test_kubernetes_schema_catches_a_broken_manifest():
    deployment = _k8s("Deployment")
    misspelt = copy.deepcopy(deployment)
    misspelt["spec"]["template"]["spec"]["terminationGracePeriod"] = 45
    wrong_type = copy.deepcopy(deployment)
    _container(wrong_type)["ports"][0]["containerPort"] = "50051"
    for broken in (misspelt, wrong_type):
        with pytest.raises(kubernetes_validate.ValidationError):
            kubernetes_validate.validate(broken, K8S_VERSIONS[-1], strict=True)


def test_kustomization_lists_every_manifest_but_the_secret_example():
    kustomization = yaml.safe_load((K8S_DIR / "kustomization.yaml").read_text())
    wanted = {p.name for p in _k8s_files() if not p.name.endswith(".example.yaml")}
    assert sorted(kustomization["resources"]) == sorted(wanted)


def test_kubernetes_settings_parse(monkeypatch):
    config = _k8s("ConfigMap", "aurum-ml")["data"]
    settings = _settings(config, monkeypatch, "configmap.yaml")
    assert settings.qdrant_url, "replicas need a Qdrant server, not the embedded store"
    assert settings.queue_redis_url
    # The server sizes ONNX Runtime's threads from its CPU affinity, which a CPU
    # limit does not narrow: the threads must be set to fit the limit.
    limit = _container(_k8s("Deployment"))["resources"]["limits"]["cpu"]
    cpus = float(limit[:-1]) / 1000 if limit.endswith("m") else float(limit)
    assert settings.intra_op_threads >= 1
    assert settings.intra_op_threads * settings.pool_size <= cpus
    assert settings.solo_session is False


def test_kubernetes_pods_outlive_their_drain():
    spec = _k8s("Deployment")["spec"]["template"]["spec"]
    config = _k8s("ConfigMap", "aurum-ml")["data"]
    grace = float(config.get("AURUM_SHUTDOWN_GRACE_S", DEFAULT_SHUTDOWN_GRACE_S))
    pre_stop = _container(_k8s("Deployment"))["lifecycle"]["preStop"]["exec"]["command"]
    assert pre_stop[0] == "sleep"
    sleep_s = float(pre_stop[1])
    assert sleep_s > 0, "endpoints must update before the drain starts"
    # The preStop sleep counts against the grace period; SIGTERM comes after it.
    assert spec["terminationGracePeriodSeconds"] > sleep_s + grace


def test_kubernetes_probes_ask_the_grpc_health_service():
    container = _container(_k8s("Deployment"))
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports["grpc"] == GRPC_PORT
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["grpc"]["port"] == ports["grpc"], probe
    # The startup probe allows for model loading; liveness must not kill a
    # draining pod (health is NOT_SERVING from SIGTERM on).
    startup = container["startupProbe"]
    assert startup["periodSeconds"] * startup["failureThreshold"] >= 120
    liveness = container["livenessProbe"]
    grace = _k8s("Deployment")["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
    assert liveness["periodSeconds"] * liveness["failureThreshold"] >= grace


def test_kubernetes_pods_run_unprivileged_on_a_read_only_root():
    deployment = _k8s("Deployment")
    pod = deployment["spec"]["template"]["spec"]
    container = _container(deployment)
    uid, gid = _image_user("cpu")
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert (pod["securityContext"]["runAsUser"], pod["securityContext"]["runAsGroup"]) == (
        uid,
        gid,
    )
    security = container["securityContext"]
    assert security["readOnlyRootFilesystem"] is True
    assert security["allowPrivilegeEscalation"] is False
    assert security["capabilities"]["drop"] == ["ALL"]
    # What the server writes is mounted: the data dir and /tmp.
    mounts = {m["mountPath"] for m in container["volumeMounts"] if not m.get("readOnly")}
    assert {"/data", "/tmp"} <= mounts
    assert pod["enableServiceLinks"] is False, "service links inject AURUM_ML_* variables"
    assert deployment["spec"]["replicas"] >= 2
    assert container["resources"]["requests"] and container["resources"]["limits"]


def test_kubernetes_objects_refer_to_each_other():
    deployment = _k8s("Deployment")
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    container = _container(deployment)
    port_names = {p["name"] for p in container["ports"]}

    headless = _k8s("Service", "aurum-ml-headless")["spec"]
    assert headless["clusterIP"] == "None", "clients balance per call over the pods' addresses"
    grpc_port = next(p for p in headless["ports"] if p["name"] == "grpc")
    assert grpc_port["targetPort"] == "grpc" and grpc_port["port"] == GRPC_PORT
    rest = _k8s("Service", "aurum-ml")["spec"]
    assert {p["targetPort"] for p in rest["ports"]} == {"http"}
    for service in (headless, rest):
        assert service["selector"].items() <= labels.items()
        assert {p["targetPort"] for p in service["ports"]} <= port_names

    hpa = _k8s("HorizontalPodAutoscaler")["spec"]
    target = {k: hpa["scaleTargetRef"][k] for k in ("apiVersion", "kind", "name")}
    assert target == {
        "apiVersion": deployment["apiVersion"],
        "kind": "Deployment",
        "name": deployment["metadata"]["name"],
    }
    assert hpa["minReplicas"] >= 2
    pdb = _k8s("PodDisruptionBudget")["spec"]
    assert pdb["selector"]["matchLabels"].items() <= labels.items()

    config_refs = {e["configMapRef"]["name"] for e in container["envFrom"]}
    assert config_refs == {_k8s("ConfigMap")["metadata"]["name"]}
    secret = _k8s("Secret")
    pod_volumes = deployment["spec"]["template"]["spec"]["volumes"]
    secret_volumes = [v["secret"] for v in pod_volumes if "secret" in v]
    assert {v["secretName"] for v in secret_volumes} == {secret["metadata"]["name"]}
    for volume in secret_volumes:
        assert {i["key"] for i in volume["items"]} <= secret["stringData"].keys()
    keys_mount = next(m for m in container["volumeMounts"] if m["name"] == "keys")
    config = _k8s("ConfigMap")["data"]
    assert config["AURUM_API_KEYS_FILE"] == f"{keys_mount['mountPath']}/api-keys"


def test_secret_example_carries_no_usable_key():
    """Its placeholders are shorter than the 16 characters a key needs, so a
    server given them unedited refuses to start instead of trusting them."""
    data = _k8s("Secret")["stringData"]
    lines = [ln.strip() for ln in data["api-keys"].splitlines()]
    placeholders = [ln for ln in lines if ln and not ln.startswith("#")]
    assert placeholders and all(len(p) < 16 for p in placeholders)
    assert len(data["qdrant-api-key"]) < 16
