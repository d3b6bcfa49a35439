"""Repository invariants: fresh stubs and a core that knows nothing of transports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.serverproc import ROOT


def test_generated_stubs_are_fresh(tmp_path: Path):
    protos = sorted(str(p.relative_to(ROOT / "protos")) for p in (ROOT / "protos").rglob("*.proto"))
    bin_dir = Path(sys.executable).parent
    subprocess.run(
        [
            sys.executable,
            "-m",
            "grpc_tools.protoc",
            f"-I{ROOT / 'protos'}",
            f"--python_out={tmp_path}",
            f"--grpc_python_out={tmp_path}",
            f"--plugin=protoc-gen-mypy={bin_dir / 'protoc-gen-mypy'}",
            f"--mypy_out={tmp_path}",
            f"--plugin=protoc-gen-mypy_grpc={bin_dir / 'protoc-gen-mypy_grpc'}",
            f"--mypy_grpc_out={tmp_path}",
            *protos,
        ],
        check=True,
        cwd=ROOT / "protos",
        capture_output=True,
    )
    fresh = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*_pb2*")}
    committed = {
        p.relative_to(ROOT / "generated"): p.read_bytes()
        for p in (ROOT / "generated").rglob("*_pb2*")
    }
    assert fresh.keys() == committed.keys(), "run `make proto` and commit generated/"
    stale = [str(k) for k in fresh if fresh[k] != committed[k]]
    assert not stale, f"stale stubs {stale}: run `make proto` and commit generated/"


def test_core_does_not_import_transports():
    code = (
        "import sys, aurum_ml.core, aurum_ml.models, aurum_ml.runtime, aurum_ml.images;"
        "mods = ('grpc', 'google.protobuf', 'fastapi', 'starlette');"
        "bad = [m for m in mods if m in sys.modules];"
        "print(bad); raise SystemExit(1 if bad else 0)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
