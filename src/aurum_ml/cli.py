"""The aurum-ml command: run the server, or detect/embed/compare on local files."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from pydantic_settings import SettingsError

from aurum_ml import __version__
from aurum_ml.errors import AurumError
from aurum_ml.observability import configure_logging
from aurum_ml.settings import Settings, explain

if TYPE_CHECKING:
    import grpc

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
    p.add_argument(
        "--model-set",
        help="the models to run, a set in manifest.json: insightface (the default; "
        "non-commercial research only) or permissive (YuNet, SFace, MTCNN)",
    )
    p.add_argument(
        "--log-level",
        help="DEBUG, INFO, WARNING or ERROR (default INFO for serve, WARNING for the others)",
    )
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
        choices=["scrfd", "yunet", "mtcnn"],
        help="default detector, one of the model set's (default: the set's own, SCRFD or YuNet)",
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
        "SERVING, 1 otherwise. Used by the Docker HEALTHCHECK. It speaks TLS when the "
        "server in this environment does (AURUM_TLS_CERT_FILE set) or when --ca or --cert "
        "is given, and mutual TLS when AURUM_TLS_CLIENT_CA_FILE is set or --cert is given.",
        epilog="Run inside the server's container, the defaults follow its settings: "
        "the server's own certificate (AURUM_TLS_CERT_FILE) and client CA "
        "(AURUM_TLS_CLIENT_CA_FILE) are trusted as roots, which fits a self-signed "
        "certificate or one private CA for servers and clients; with mutual TLS the "
        "server's certificate and key (AURUM_TLS_KEY_FILE) are presented as the "
        "client's, which the server accepts when its certificate allows client "
        "authentication; and the name on the server's certificate is expected, whatever "
        "the target (127.0.0.1 in the Dockerfile). Anything else: --ca, --cert, --key, "
        "--server-name.",
    )
    h.add_argument(
        "--target",
        help="host:port (default localhost and AURUM_GRPC_PORT, i.e. localhost:50051)",
    )
    h.add_argument(
        "--service",
        default="",
        help="a service, e.g. aurum.ml.v1.FaceDetection; empty (the default) means the "
        "whole server; 'all' checks the server and every service it offers",
    )
    h.add_argument("--timeout", type=float, default=3.0, help="seconds (3)")
    h.add_argument(
        "--ca",
        type=Path,
        metavar="PEM",
        help="use TLS, trusting the CA certificate(s) in this file for the server's "
        "certificate (default: AURUM_TLS_CERT_FILE and AURUM_TLS_CLIENT_CA_FILE when set)",
    )
    h.add_argument(
        "--cert",
        type=Path,
        metavar="PEM",
        help="mutual TLS: this client's certificate chain (default with "
        "AURUM_TLS_CLIENT_CA_FILE set: AURUM_TLS_CERT_FILE)",
    )
    h.add_argument(
        "--key",
        type=Path,
        metavar="PEM",
        help="mutual TLS: the private key of --cert (default with AURUM_TLS_CLIENT_CA_FILE "
        "set: AURUM_TLS_KEY_FILE)",
    )
    h.add_argument(
        "--server-name",
        metavar="NAME",
        help="TLS: the name the server's certificate must carry, when it is not the "
        "target's host (e.g. checking localhost against a certificate for ml.example.com); "
        "default with AURUM_TLS_CERT_FILE set: the name that certificate carries",
    )
    h.add_argument(
        "--plaintext", action="store_true", help="no TLS, even where AURUM_TLS_* are set"
    )
    h.add_argument(
        "--api-key",
        default=os.environ.get("AURUM_API_KEY") or None,
        metavar="KEY",
        help="sent as 'authorization: Bearer KEY' (default $AURUM_API_KEY); the health "
        "service itself needs none",
    )

    st = sub.add_parser(
        "store",
        help="migrate the embedded face store, or copy it to a Qdrant server",
        description="Look after the embedded face store (AURUM_DATA_DIR/qdrant or "
        "AURUM_QDRANT_LOCATION) while no server runs on it. `migrate` moves a folder "
        "written by releases before Qdrant Edge to Qdrant Edge (the server's first start "
        "does the same) and prints the faces per gallery. `copy --to-url URL` copies "
        "every gallery into a Qdrant server or cluster, face ids unchanged.",
    )
    st.add_argument("action", choices=["migrate", "copy"])
    st.add_argument("--to-url", metavar="URL", help="copy: the Qdrant server, http(s)://host:6333")
    st.add_argument(
        "--to-api-key",
        default=os.environ.get("AURUM_QDRANT_API_KEY") or None,
        metavar="KEY",
        help="copy: the server's API key (default $AURUM_QDRANT_API_KEY)",
    )

    def add_image_cmd(name: str, help_: str, desc: str) -> argparse.ArgumentParser:
        c = sub.add_parser(name, help=help_, description=desc)
        c.add_argument(
            "--detector",
            choices=["scrfd", "yunet", "mtcnn"],
            help="face detector, one of the model set's (default: the set's own, SCRFD or YuNet)",
        )
        c.add_argument("--json", action="store_true", help="print JSON instead of text")
        return c

    d = add_image_cmd(
        "detect",
        "find faces in an image file",
        "Print each face's box, confidence and five landmarks, highest confidence first.",
    )
    d.add_argument("image", type=Path, help="JPEG, PNG or WebP file")
    d.add_argument("--min-confidence", type=float, default=0.0, help="drop faces below (0.5)")
    d.add_argument(
        "--draw",
        type=Path,
        metavar="OUT.png",
        help="write the image with each face's box, numbered as in the list",
    )
    d.add_argument(
        "--landmarks-106",
        action="store_true",
        help="also find each face's 106 landmarks (in --json, and drawn with --draw)",
    )

    e = add_image_cmd(
        "embed",
        "print the embedding of the main face",
        "Detect the most prominent face (largest box x confidence), align it to the "
        "ArcFace template and print which face it is (its number in `detect`'s list "
        "and its box) and its L2-normalised embedding (512-d with ArcFace, 128-d with "
        "SFace) with quality and confidence.",
    )
    e.add_argument("image", type=Path, help="JPEG, PNG or WebP file")
    e.add_argument("--aligned", action="store_true", help="the image is an aligned face crop")

    c = add_image_cmd(
        "compare",
        "are two photos the same person?",
        "Embed the most prominent face of each image and print which faces were compared "
        "(their numbers in `detect`'s list and their boxes), their cosine similarity and "
        "whether it reaches the match threshold (AURUM_MATCH_THRESHOLD; by default the "
        "embedding model's own: 0.35 for ArcFace, see README). "
        "With --best-pair, every face of one image is compared with every face of the "
        "other and the best-matching pair is reported.",
    )
    c.add_argument("image_a", type=Path)
    c.add_argument("image_b", type=Path)
    c.add_argument(
        "--best-pair",
        action="store_true",
        help="compare every face of IMAGE_A with every face of IMAGE_B; report the closest pair",
    )
    i = add_image_cmd(
        "identify",
        "who is in a photo: each face against a gallery",
        "Identify every face of the image against a gallery of the embedded face store "
        "(AURUM_DATA_DIR/qdrant or AURUM_QDRANT_LOCATION; stop a server that holds it): "
        "one batched embedder run and one batched search, each answer printed at its "
        "face's box, numbered as in `detect`.",
    )
    i.add_argument("gallery", help="the gallery to search")
    i.add_argument("image", type=Path, help="JPEG, PNG or WebP file")
    i.add_argument("--top-k", type=int, default=1, help="subjects per face (1)")
    i.add_argument(
        "--prominent", action="store_true", help="only the most prominent face, as Identify does"
    )
    return p


def _default(name: str) -> object:
    """A setting's default, so --help cannot drift from the code."""
    return Settings.model_fields[name].default


#: The settings a command-line option sets, and the option (for error messages).
_OPTIONS = {
    "models_dir": "--models-dir",
    "model_set": "--model-set",
    "log_level": "--log-level",
    "host": "--host",
    "grpc_port": "--grpc-port",
    "rest_port": "--rest-port",
    "detector": "--detector",
    "workers": "--workers",
    "pool_size": "--pool-size",
}


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    for key in _OPTIONS:
        val = getattr(args, key, None)
        if val is not None:
            overrides[key] = val
    return overrides


def _settings(args: argparse.Namespace) -> Settings:
    return Settings(**_overrides(args))


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise SystemExit(f"aurum-ml: cannot read {path}: {e.strerror}") from None


async def _local(args: argparse.Namespace, settings: Settings) -> int:
    # Imported here so `--help` stays fast.
    from aurum_ml import local
    from aurum_ml.bootstrap import default_detector, served_models

    # The files first: a typo should not wait for the models to load.
    if args.command == "compare":
        images = [(args.image_a, _read(args.image_a)), (args.image_b, _read(args.image_b))]
    else:
        images = [(args.image, _read(args.image))]
    try:
        detector = default_detector(settings, served_models(settings))
    except ValueError as e:  # a model set or detector the manifest does not have
        print(f"aurum-ml: {e}", file=sys.stderr)
        return 2
    roles = local.roles_for(
        args.command,
        detector,
        landmarks_106=getattr(args, "landmarks_106", False),
        aligned=getattr(args, "aligned", False),
    )
    core = local.open_core(settings, roles, store=args.command == "identify")
    try:
        if args.command == "identify":
            return await local.identify(core, *images[0], args)
        if args.command == "detect":
            return await local.detect(core, *images[0], args)
        if args.command == "embed":
            return await local.embed(core, *images[0], args)
        return await local.compare(core, images[0], images[1], args)
    finally:
        core.close()


# -- health ----------------------------------------------------------------------------


def _file(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise SystemExit(f"aurum-ml health: cannot read {what} {path}: {e.strerror}") from None


def _certificate_name(path: Path) -> str | None:
    """The first name (DNS, else IP, else common name) a PEM certificate carries.

    Through CPython's certificate decoder (``_ssl._test_decode_cert``, there since
    3.2 though undocumented), to need no X.509 library at run time; where it is
    missing the caller just does without."""
    import ssl

    decode = getattr(getattr(ssl, "_ssl", None), "_test_decode_cert", None)
    if decode is None:
        return None
    try:
        info: dict[str, Any] = decode(str(path))
    except (OSError, ValueError, ssl.SSLError):
        return None
    alt = [value for kind, value in info.get("subjectAltName", ())]
    common = [v for rdn in info.get("subject", ()) for k, v in rdn if k == "commonName"]
    return next(iter(alt + common), None)


def _credentials(
    args: argparse.Namespace, settings: Settings
) -> tuple[grpc.ChannelCredentials | None, str, str | None]:
    """The channel's TLS credentials (None: plaintext), what they are made of
    (for messages), and the name to expect on the server's certificate."""
    import grpc

    if args.plaintext:
        return None, "plaintext", None
    if (args.cert is None) != (args.key is None):
        raise SystemExit("aurum-ml health: --cert and --key go together")
    server_tls = settings.tls_cert_file is not None and settings.tls_key_file is not None
    if args.ca is None and args.cert is None and not server_tls:
        return None, "plaintext", None
    roots: bytes | None = None
    trusted = "the system's CAs"
    name = args.server_name
    if args.ca is not None:
        roots, trusted = _file(args.ca, "--ca"), str(args.ca)
    elif server_tls:
        assert settings.tls_cert_file is not None
        files = [settings.tls_cert_file]
        if settings.tls_client_ca_file is not None:
            files.append(settings.tls_client_ca_file)
        roots = b"\n".join(_file(f, "AURUM_TLS_* file") for f in files)
        trusted = " and ".join(str(f) for f in files)
        # Checking the server beside us (the container's HEALTHCHECK dials
        # 127.0.0.1) against its own certificate: expect the name it carries.
        name = name or _certificate_name(settings.tls_cert_file)
    cert, key = args.cert, args.key
    if cert is None and settings.tls_client_ca_file is not None and server_tls:
        cert, key = settings.tls_cert_file, settings.tls_key_file
    how = f"TLS trusting {trusted}"
    if cert is not None and key is not None:
        how += f", presenting {cert}"
        creds = grpc.ssl_channel_credentials(
            roots, _file(key, "client key"), _file(cert, "client certificate")
        )
    else:
        creds = grpc.ssl_channel_credentials(roots)
    return creds, how, name


def _why_unreachable(details: str, tls: bool, server_name: str | None) -> str:
    """A person's reading of gRPC's connection error."""
    d = details.lower()
    if "connection refused" in d:
        return "nothing is listening there (is the server running, on this port?)"
    if "hostname verification" in d:
        name = f"the name {server_name!r} (--server-name)" if server_name else "the target's host"
        return (
            f"the server's certificate does not carry {name}: "
            "pass --server-name with a name it does carry"
        )
    if "certificate_verify_failed" in d or "unable to get local issuer" in d:
        return "the server's certificate is not signed by a trusted CA: pass --ca with the CA"
    if "wrong_version_number" in d:
        return "the server does not speak TLS on this port: pass --plaintext"
    if "socket closed" in d or "connection reset" in d:
        if tls:
            return (
                "the server closed the connection during the TLS handshake: with mutual "
                "TLS it needs a client certificate signed by its AURUM_TLS_CLIENT_CA_FILE "
                "and allowed for client authentication (--cert and --key)"
            )
        return (
            "the server closed the connection: it may require TLS; pass --ca with the "
            "CA of its certificate, or run where its AURUM_TLS_CERT_FILE is set"
        )
    return "the server cannot be reached"


def _health_rpc_error(
    target: str, how: str, e: grpc.RpcError, service: str, server_name: str | None
) -> str:
    import grpc

    code = e.code()
    details = str(e.details() or "")
    if code == grpc.StatusCode.NOT_FOUND:
        return f"{target}: the server has no service {service!r}"
    if code == grpc.StatusCode.UNAVAILABLE:
        why = _why_unreachable(details, not how.startswith("plaintext"), server_name)
        return f"{target} ({how}): {why} [UNAVAILABLE: {details}]"
    if code == grpc.StatusCode.DEADLINE_EXCEEDED:
        return f"{target} ({how}): no answer within the timeout (--timeout) [{details}]"
    return f"{target}: {code.name}: {details}"


def _services(channel: grpc.Channel, timeout: float, metadata: list[tuple[str, str]]) -> list[str]:
    """The services the server offers (server reflection), less health and reflection."""
    from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    request = reflection_pb2.ServerReflectionRequest(list_services="")
    names: list[str] = []
    for resp in stub.ServerReflectionInfo(iter([request]), timeout=timeout, metadata=metadata):
        names += [s.name for s in resp.list_services_response.service]
    return sorted(n for n in names if not n.startswith(("grpc.health.", "grpc.reflection.")))


def _health(args: argparse.Namespace, settings: Settings) -> int:
    # gRPC's C core would print its own lines for a failed handshake; ours say more.
    os.environ.setdefault("GRPC_VERBOSITY", "NONE")
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    target = args.target or f"localhost:{settings.grpc_port}"
    creds, how, server_name = _credentials(args, settings)
    options = [("grpc.ssl_target_name_override", server_name)] if server_name else []
    metadata = [("authorization", f"Bearer {args.api_key}")] if args.api_key else []
    channel = (
        grpc.secure_channel(target, creds, options=options)
        if creds is not None
        else grpc.insecure_channel(target)
    )
    serving = health_pb2.HealthCheckResponse.SERVING
    with channel:
        stub = health_pb2_grpc.HealthStub(channel)

        def check(service: str) -> int:
            resp = stub.Check(
                health_pb2.HealthCheckRequest(service=service),
                timeout=args.timeout,
                metadata=metadata,
            )
            return int(resp.status)

        service = args.service
        try:
            if service == "all":
                names = ["", *_services(channel, args.timeout, metadata)]
            else:
                names = [service]
            statuses = {name: check(name) for name in names}
        except grpc.RpcError as e:
            message = _health_rpc_error(target, how, e, service, server_name)
            if e.code() == grpc.StatusCode.NOT_FOUND:
                try:
                    known = ", ".join(_services(channel, args.timeout, metadata))
                    message += f"; it has {known} ('' is the whole server; 'all' checks each)"
                except grpc.RpcError:
                    pass
            print(f"aurum-ml health: {message}", file=sys.stderr)
            return 1
    for name, status in statuses.items():
        label = health_pb2.HealthCheckResponse.ServingStatus.Name(status)
        print(f"{target} {name or '(server)'}: {label}")
    return 0 if all(s == serving for s in statuses.values()) else 1


def _store(args: argparse.Namespace, settings: Settings) -> int:
    from aurum_ml import store_admin

    try:
        if args.action == "migrate":
            return store_admin.migrate(settings)
        if not args.to_url:
            print("aurum-ml: store copy needs --to-url", file=sys.stderr)
            return 2
        return store_admin.copy(settings, args.to_url, args.to_api_key)
    except AurumError as e:
        print(f"aurum-ml: {e.message}", file=sys.stderr)
        return 1


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = _settings(args)
    except ValidationError as e:
        # One line per bad setting, naming its variable (or option) and the form it takes.
        for line in explain(e, {k: v for k, v in _OPTIONS.items() if k in _overrides(args)}):
            print(f"aurum-ml: {line}", file=sys.stderr)
        return 2
    except SettingsError as e:
        print(f"aurum-ml: {e}", file=sys.stderr)
        return 2
    if args.command == "health":
        return _health(args, settings)
    # JSON lines for the server (log pipelines); plain text for a person at a terminal,
    # who wants the answer, not which models loaded (unless a log level is asked for).
    serving = args.command == "serve"
    level = settings.log_level if serving or "log_level" in settings.model_fields_set else "WARNING"
    configure_logging(level, settings.json_logs and serving)
    if args.command == "store":
        return _store(args, settings)
    if not settings.manifest_path.exists():
        print(
            f"aurum-ml: {settings.manifest_path} not found; run from the repository root "
            "or pass --models-dir",
            file=sys.stderr,
        )
        return 2
    if args.command == "serve":
        from aurum_ml.app import CannotListen, serve

        try:
            asyncio.run(serve(settings))
        except CannotListen as e:
            print(f"aurum-ml: {e}", file=sys.stderr)
            return 2
        except (ValueError, OSError) as e:
            # Bad key files, unreadable certificates: the operator's to fix, so a
            # one-line reason rather than a traceback.
            print(f"aurum-ml: cannot start the server: {e}", file=sys.stderr)
            return 2
        return 0
    try:
        return asyncio.run(_local(args, settings))
    except BrokenPipeError:
        # `aurum-ml embed x.jpg | head -3`: the reader has gone, which is not a
        # failure worth a traceback (the Python docs' recipe for SIGPIPE).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except AurumError as e:
        if getattr(args, "json", False):
            print(json.dumps({"error": e.grpc_code, "message": e.message}))
        print(f"aurum-ml: {e.message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
