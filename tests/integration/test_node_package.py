"""clients/node as a package (@aurum-ml/client): its types are checked and fresh,
Node's own test runner drives every service, the legacy REST-shaped functions,
gRPC retries and round_robin against real servers, and `npm pack` gives a
tarball another project can install and import."""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import subprocess
import tarfile
import threading
import time
from pathlib import Path

import pytest

from aurum_ml.testing import ROOT, ServerProcess, free_port, running_server, start_server

PACKAGE = ROOT / "clients" / "node"


@pytest.fixture(scope="module")
def node() -> str:
    # A failure, not a skip: CI must run this, and a skip would hide a broken setup.
    exe = shutil.which("node")
    if exe is None:
        pytest.fail("node is not installed: the Node package test needs Node.js 18.3 or newer")
    if not (PACKAGE / "node_modules" / "typescript").is_dir():
        pytest.fail("clients/node/node_modules is missing or stale: run `make install`")
    return exe


def run(
    cmd: list[str], cwd: Path = PACKAGE, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        cmd,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "AURUM_API_KEY": "", **(env or {})},
    )
    assert proc.returncode == 0, (
        f"{' '.join(cmd)} failed:\n{proc.stdout[-6000:]}\n{proc.stderr[-4000:]}"
    )
    return proc


def node_test(node: str, files: list[str], env: dict[str, str]) -> None:
    run(
        [node, "--test", "--test-reporter=spec", *files],
        env={"AURUM_TEST_PHOTOS": str(ROOT / "models" / "photos"), **env},
    )


def tsc(node: str, *args: str, cwd: Path = PACKAGE) -> subprocess.CompletedProcess[str]:
    return run([node, str(PACKAGE / "node_modules" / "typescript" / "bin" / "tsc"), *args], cwd=cwd)


def same_tree(a: Path, b: Path) -> list[str]:
    """Paths that differ between two folders (missing on either side, or other bytes)."""
    files_a = {p.relative_to(a) for p in a.rglob("*") if p.is_file()}
    files_b = {p.relative_to(b) for p in b.rglob("*") if p.is_file()}
    differ = sorted(str(p) for p in files_a ^ files_b)
    differ += sorted(
        str(p) for p in files_a & files_b if not filecmp.cmp(a / p, b / p, shallow=False)
    )
    return differ


def test_types_check(node):
    tsc(node, "--noEmit", "-p", ".")


def test_generated_types_are_fresh(node, tmp_path):
    """generated/ is what `npm run gen-types` makes from today's protos."""
    run([node, "scripts/gen-types.js", str(tmp_path / "generated")])
    assert same_tree(tmp_path / "generated", PACKAGE / "generated") == [], (
        "clients/node/generated is stale: run `npm run gen-types --prefix clients/node`"
    )


def test_compiled_lib_is_fresh(node, tmp_path):
    """lib/ (committed, so the package works after npm ci) is the build of src/."""
    tsc(node, "-p", ".", "--outDir", str(tmp_path / "lib"))
    assert same_tree(tmp_path / "lib", PACKAGE / "lib") == [], (
        "clients/node/lib is stale: run `npm run build --prefix clients/node`"
    )


def test_every_service_and_the_legacy_functions(node, server: ServerProcess):
    node_test(
        node,
        ["test/services.test.js", "test/legacy.test.js"],
        {"AURUM_TEST_TARGET": server.grpc_target, "AURUM_TEST_REST_URL": server.rest_url},
    )


def test_round_robin_over_two_servers(node):
    with running_server() as a, running_server() as b:
        node_test(
            node,
            ["test/round-robin.test.js"],
            {
                "AURUM_TEST_TARGETS": f"ipv4:{a.grpc_target},{b.grpc_target}",
                "AURUM_TEST_REST_URLS": f"{a.rest_url},{b.rest_url}",
            },
        )


def test_retry_policy_retries_resource_exhausted(node):
    limits = {"AURUM_RATE_LIMIT_RPS": "10", "AURUM_RATE_LIMIT_BURST": "3"}
    with running_server(env=limits) as srv:
        node_test(node, ["test/retry.test.js"], {"AURUM_TEST_LIMITED_TARGET": srv.grpc_target})


CONSUMER_TS = """\
import { createClient, status, type DetectResponse__Output } from "@aurum-ml/client";
import { detectFaces, type DetectFaceResponse, type ErrorResponse } from "@aurum-ml/client/legacy";

export async function use(target: string): Promise<number> {
  const client = createClient({ target, deadlineMs: 5000 });
  const r: DetectResponse__Output = await client.detect({ image: { data: Buffer.from("") } });
  const legacy: DetectFaceResponse | ErrorResponse = await detectFaces("");
  client.close();
  return r.faces.length + (legacy.success ? legacy.faces.length : status.OK);
}
"""

CONSUMER_JS = """\
const fs = require("node:fs");
const { createClient } = require("@aurum-ml/client");
const { createLegacyApi } = require("@aurum-ml/client/legacy");
(async () => {
  const client = createClient({ target: process.argv[2] });
  const image = fs.readFileSync(process.argv[3]);
  const detected = await client.detect({ image: { data: image } });
  const health = await createLegacyApi(client).healthCheck();
  console.log(JSON.stringify({ faces: detected.faces.length, health: health.status }));
  client.close();
})();
"""


def test_npm_pack_installs_and_imports(node, server: ServerProcess, tmp_path, photos):
    npm = shutil.which("npm")
    assert npm is not None
    packed = run([npm, "pack", "--json", "--pack-destination", str(tmp_path)])
    tarball = tmp_path / json.loads(packed.stdout)[0]["filename"]
    with tarfile.open(tarball) as tar:
        names = set(tar.getnames())
    assert "package/protos/aurum/ml/v1/face_store.proto" in names
    assert "package/health.proto" in names
    assert "package/lib/src/index.d.ts" in names
    assert "package/lib/generated/aurum/ml/v1/DetectResponse.d.ts" in names
    assert "package/client.js" not in names  # the repository's example, not the package
    assert not any(n.startswith("package/test/") for n in names)
    assert not (PACKAGE / "protos").exists(), "postpack should remove the packed protos"

    app = tmp_path / "app"
    app.mkdir()
    (app / "package.json").write_text('{"name": "app", "version": "1.0.0", "private": true}\n')
    # Its dependencies come from the npm cache that `npm ci` filled (the registry
    # only if the cache lacks one).
    run([npm, "install", "--prefer-offline", "--no-audit", "--no-fund", str(tarball)], cwd=app)
    (app / "use.js").write_text(CONSUMER_JS)
    got = run([node, "use.js", server.grpc_target, str(photos / "yaoming.jpg")], cwd=app)
    assert json.loads(got.stdout) == {"faces": 1, "health": "healthy"}

    # A TypeScript app type-checks against the installed package's declarations.
    (app / "use.ts").write_text(CONSUMER_TS)
    (app / "tsconfig.json").write_text(
        json.dumps(
            {
                "compilerOptions": {
                    "strict": True,
                    "noEmit": True,
                    "module": "node16",
                    "moduleResolution": "node16",
                    "target": "ES2022",
                    "typeRoots": [str(PACKAGE / "node_modules" / "@types")],
                    "types": ["node"],
                },
                "files": ["use.ts"],
            }
        )
    )
    tsc(node, "-p", ".", cwd=app)


def test_calls_survive_a_server_restart(node):
    """The server goes away and comes back on the same port while a Node client
    is calling: calls that wait for the channel succeed once it is back."""
    port = free_port()
    env = {"AURUM_GRPC_PORT": str(port), "AURUM_REST_ENABLED": "false"}
    first = start_server(env)
    # The port is the same before and after: a client sees one server restart.
    assert first.grpc_port == port
    assert first.stop() == 0
    servers: list[ServerProcess] = []

    def restart() -> None:
        time.sleep(1.5)
        servers.append(start_server(env))

    restarter = threading.Thread(target=restart)
    restarter.start()
    try:
        node_test(
            node, ["test/restart.test.js"], {"AURUM_TEST_RESTART_TARGET": f"127.0.0.1:{port}"}
        )
    finally:
        restarter.join(120)
        for server in servers:
            assert server.stop() == 0
