"""Repository invariants: fresh stubs and the layer rules (import-linter)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from aurum_ml.testing import ROOT


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


def test_layer_rules_hold():
    """The import contracts in pyproject.toml ([tool.importlinter]): layers, and
    a core that knows no transport. import-linter reads every import, including
    ones a test run would never execute."""
    lint_imports = Path(sys.executable).with_name("lint-imports")
    out = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stdout + out.stderr
