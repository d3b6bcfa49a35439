"""The aurum-ml command: run the server, or detect/embed/compare on local files."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from aurum_ml import __version__
from aurum_ml.errors import AurumError
from aurum_ml.observability import configure_logging
from aurum_ml.settings import Settings

_EPILOG = (
    "Every server option can also be set through an environment variable named "
    "AURUM_<OPTION>, e.g. AURUM_GRPC_PORT=50052. Models come from `make models`."
)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="aurum-ml",
        description="Face detection, embeddings, image processing and similarity "
        "over gRPC (with a REST gateway), plus local one-off commands.",
        epilog=_EPILOG,
    )
    p.add_argument("--version", action="version", version=f"aurum-ml {__version__}")
    p.add_argument("--models-dir", type=Path, help="folder with manifest.json (default: models)")
    p.add_argument("--log-level", help="DEBUG, INFO, WARNING or ERROR (default INFO)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser(
        "serve",
        help="run the gRPC server (and REST gateway)",
        description="Start the server: FaceDetection, FaceEmbedding, ImageProcessing, "
        "Similarity and FaceStore on one gRPC port (with grpc.health.v1 and server "
        "reflection), the legacy REST paths on --rest-port and Prometheus metrics on "
        "AURUM_METRICS_PORT. SIGTERM drains calls in flight and exits 0.",
        epilog=_EPILOG,
    )
    s.add_argument("--host", help=f"interface to bind (default {_default('host')})")
    s.add_argument(
        "--grpc-port",
        type=int,
        help=f"gRPC port (default {_default('grpc_port')}; 0 = any free port)",
    )
    s.add_argument(
        "--rest-port", type=int, help=f"REST gateway port (default {_default('rest_port')})"
    )
    s.add_argument(
        "--detector",
        choices=["scrfd", "mtcnn"],
        help=f"default detector ({_default('detector')})",
    )
    s.add_argument(
        "--workers", type=int, help=f"worker threads for inference (default {_default('workers')})"
    )
    s.add_argument(
        "--pool-size",
        type=int,
        help="ONNX Runtime sessions for the detector and the embedder, sharing the "
        f"CPUs under load (default {_default('pool_size')}; both also have a solo "
        "session for a call that runs alone, AURUM_SOLO_SESSION)",
    )

    h = sub.add_parser(
        "health",
        help="ask a running server's gRPC health service",
        description="Call grpc.health.v1.Health/Check on a running server; exit 0 when "
        "SERVING, 1 otherwise. Used by the Docker HEALTHCHECK.",
    )
    h.add_argument("--target", default="localhost:50051", help="host:port (localhost:50051)")
    h.add_argument("--service", default="", help="service name; empty means the whole server")
    h.add_argument("--timeout", type=float, default=3.0, help="seconds (3)")

    def add_image_cmd(name: str, help_: str, desc: str) -> argparse.ArgumentParser:
        c = sub.add_parser(name, help=help_, description=desc)
        c.add_argument("--detector", choices=["scrfd", "mtcnn"], help="face detector (scrfd)")
        c.add_argument("--json", action="store_true", help="print JSON instead of text")
        return c

    d = add_image_cmd(
        "detect",
        "find faces in an image file",
        "Print each face's box, confidence and five landmarks, highest confidence first.",
    )
    d.add_argument("image", type=Path, help="JPEG, PNG or WebP file")
    d.add_argument("--min-confidence", type=float, default=0.0, help="drop faces below (0.5)")
    d.add_argument("--draw", type=Path, metavar="OUT.png", help="write the image with boxes")
    d.add_argument(
        "--landmarks-106",
        action="store_true",
        help="also find each face's 106 landmarks (in --json, and drawn with --draw)",
    )

    e = add_image_cmd(
        "embed",
        "print the 512-d embedding of the main face",
        "Detect the most prominent face, align it to the ArcFace template and print its "
        "L2-normalised 512-d embedding with quality and confidence.",
    )
    e.add_argument("image", type=Path, help="JPEG, PNG or WebP file")
    e.add_argument("--aligned", action="store_true", help="the image is an aligned face crop")

    c = add_image_cmd(
        "compare",
        "are two photos the same person?",
        "Embed the main face of each image and print their cosine similarity and whether "
        "it reaches the match threshold (AURUM_MATCH_THRESHOLD, default 0.35).",
    )
    c.add_argument("image_a", type=Path)
    c.add_argument("image_b", type=Path)
    return p


def _default(name: str) -> object:
    """A setting's default, so --help cannot drift from the code."""
    return Settings.model_fields[name].default


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, Any] = {}
    for key in ("models_dir", "log_level", "host", "grpc_port", "rest_port", "detector"):
        val = getattr(args, key, None)
        if val is not None:
            overrides[key] = val
    for key in ("workers", "pool_size"):
        val = getattr(args, key, None)
        if val is not None:
            overrides[key] = val
    return Settings(**overrides)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise SystemExit(f"aurum-ml: cannot read {path}: {e.strerror}") from None


async def _local(args: argparse.Namespace, settings: Settings) -> int:
    from aurum_ml import local  # imported here so `--help` stays fast

    core = local.open_core(settings)
    try:
        if args.command == "detect":
            return await local.detect(core, args.image, _read(args.image), args)
        if args.command == "embed":
            return await local.embed(core, _read(args.image), args)
        return await local.compare(core, _read(args.image_a), _read(args.image_b), args)
    finally:
        core.close()


def _health(args: argparse.Namespace) -> int:
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    with grpc.insecure_channel(args.target) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        try:
            resp = stub.Check(
                health_pb2.HealthCheckRequest(service=args.service), timeout=args.timeout
            )
        except grpc.RpcError as e:
            print(f"{args.target}: {e.code().name}: {e.details()}", file=sys.stderr)
            return 1
    status = health_pb2.HealthCheckResponse.ServingStatus.Name(resp.status)
    print(f"{args.target} {args.service or '(server)'}: {status}")
    return 0 if resp.status == health_pb2.HealthCheckResponse.SERVING else 1


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "health":
        return _health(args)
    try:
        settings = _settings(args)
    except ValidationError as e:
        print(f"aurum-ml: invalid setting:\n{e}", file=sys.stderr)
        return 2
    # JSON lines for the server (log pipelines); plain text for a person at a terminal.
    configure_logging(settings.log_level, settings.json_logs and args.command == "serve")
    if not settings.manifest_path.exists():
        print(
            f"aurum-ml: {settings.manifest_path} not found; run from the repository root "
            "or pass --models-dir",
            file=sys.stderr,
        )
        return 2
    if args.command == "serve":
        from aurum_ml.app import serve

        try:
            asyncio.run(serve(settings))
        except (ValueError, OSError) as e:
            # Bad key files, unreadable certificates, ports in use: the operator's
            # to fix, so a one-line reason rather than a traceback.
            print(f"aurum-ml: cannot start the server: {e}", file=sys.stderr)
            return 2
        return 0
    try:
        return asyncio.run(_local(args, settings))
    except AurumError as e:
        if getattr(args, "json", False):
            print(json.dumps({"error": e.grpc_code, "message": e.message}))
        print(f"aurum-ml: {e.message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
