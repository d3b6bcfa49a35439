"""The `aurum-ml` command as a newcomer meets it: a second server on a taken
port, a bad setting, `health` against a TLS server, and `compare` on a photo
where the most prominent face is someone else."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from aurum_ml.testing import CLI, ROOT, ServerProcess, free_port, running_server
from tests.certs import make_certs, make_self_signed

#: A bad setting or a taken port is reported before any model loads: well
#: under the time a start-up takes (imports included, on a loaded 2-core CI).
QUICK_S = 15.0


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The test's environment without any AURUM_* of its own, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AURUM_")}
    return {**env, "AURUM_MODELS_DIR": str(ROOT / "models"), **(extra or {})}


def aurum(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CLI), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=_env(env),
        timeout=timeout,
    )


def _one_line(proc: subprocess.CompletedProcess[str]) -> str:
    """The process failed with exactly one line on stderr, and printed nothing else."""
    assert proc.returncode != 0, proc.stdout
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    return lines[0]


# -- a second server, a taken port -------------------------------------------------------


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


def _serve(env: dict[str, str], *args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    base = {"AURUM_HOST": "127.0.0.1", "AURUM_GRPC_PORT": "0", "AURUM_REST_PORT": "0"}
    proc = aurum("serve", *args, env={**base, "AURUM_METRICS_PORT": "0", **env}, timeout=60)
    return proc, time.monotonic() - started


def test_second_server_on_the_same_port_says_so_in_one_line(server: ServerProcess):
    """The issue's case: `aurum-ml serve` while another server holds the port."""
    proc, took = _serve({}, "--grpc-port", str(server.grpc_port))
    line = _one_line(proc)
    assert line == f"aurum-ml: port {server.grpc_port} is in use (AURUM_GRPC_PORT / --grpc-port)"
    assert took < QUICK_S
    proc, _ = _serve({"AURUM_REST_PORT": str(server.rest_port)})
    assert _one_line(proc) == (
        f"aurum-ml: port {server.rest_port} is in use (AURUM_REST_PORT / --rest-port)"
    )


@pytest.mark.parametrize(
    ("variable", "names"),
    [
        ("AURUM_GRPC_PORT", "AURUM_GRPC_PORT / --grpc-port"),
        ("AURUM_REST_PORT", "AURUM_REST_PORT / --rest-port"),
        ("AURUM_METRICS_PORT", "AURUM_METRICS_PORT"),
    ],
)
def test_taken_port_is_reported_before_the_models_load(taken_port, variable, names):
    proc, took = _serve({variable: str(taken_port)})
    assert _one_line(proc) == f"aurum-ml: port {taken_port} is in use ({names})"
    assert proc.returncode == 2
    assert took < QUICK_S


def test_one_port_for_two_servers_is_refused():
    proc, _ = _serve({"AURUM_GRPC_PORT": "50777", "AURUM_REST_PORT": "50777"})
    line = _one_line(proc)
    assert "AURUM_GRPC_PORT" in line and "AURUM_REST_PORT" in line and "50777" in line


# -- bad settings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "args", "expected"),
    [
        (
            {"AURUM_GRPC_PORT": "abc"},
            (),
            "aurum-ml: AURUM_GRPC_PORT must be a whole number from 0 to 65535 (got 'abc')",
        ),
        (
            {},
            ("--grpc-port", "70000"),
            "aurum-ml: --grpc-port (AURUM_GRPC_PORT) must be a whole number from 0 to 65535 "
            "(got 70000)",
        ),
        (
            {"AURUM_QDRANT_URL": "qdrant:6333"},
            (),
            "aurum-ml: AURUM_QDRANT_URL must start with http:// or https://, like "
            "http://qdrant:6333 (got 'qdrant:6333')",
        ),
        (
            {"AURUM_QUEUE_REDIS_URL": "redis:6379"},
            (),
            "aurum-ml: AURUM_QUEUE_REDIS_URL must start with redis://, rediss:// or unix://, "
            "like redis://redis:6379 (got 'redis:6379')",
        ),
        (
            {"AURUM_DETECTOR": "yolo"},
            (),
            "aurum-ml: AURUM_DETECTOR must be 'scrfd', 'yunet' or 'mtcnn' (got 'yolo')",
        ),
        (
            {"AURUM_MODEL_SET": "commercial"},
            (),
            "aurum-ml: cannot start the server: model set 'commercial' is not in "
            "manifest.json; it has insightface, permissive",
        ),
        (
            {"AURUM_MODEL_SET": "permissive"},
            ("--detector", "scrfd"),
            "aurum-ml: cannot start the server: the scrfd face detector (AURUM_DETECTOR) is "
            "not in the model set 'permissive' (AURUM_MODEL_SET); its detectors: yunet, mtcnn",
        ),
        (
            {"AURUM_TLS_KEY_FILE": "/etc/key.pem"},
            (),
            "aurum-ml: AURUM_TLS_CERT_FILE and AURUM_TLS_KEY_FILE must be set together",
        ),
    ],
)
def test_bad_setting_is_one_line_naming_the_variable(env, args, expected):
    proc, took = _serve(env, *args)
    assert _one_line(proc) == expected
    assert proc.returncode == 2
    assert took < QUICK_S


def test_every_bad_setting_gets_its_line_and_no_pydantic_jargon():
    proc, _ = _serve({"AURUM_WORKERS": "0", "AURUM_SPIN": "maybe"})
    assert sorted(proc.stderr.splitlines()) == [
        "aurum-ml: AURUM_SPIN must be true or false (got 'maybe')",
        "aurum-ml: AURUM_WORKERS must be a whole number from 1 to 256 (got '0')",
    ]
    assert "pydantic" not in proc.stderr


def test_a_secret_is_never_echoed():
    proc, _ = _serve({"AURUM_QDRANT_API_KEY": "s3cret-but-fine", "AURUM_API_KEYS": "[oops-s3cret"})
    line = _one_line(proc)
    assert line.startswith("aurum-ml: AURUM_API_KEYS must be comma-separated")
    assert "s3cret" not in line


# -- health over TLS ----------------------------------------------------------------------


def _health(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return aurum("health", *args, env=env, timeout=30)


PUBLIC_NAME = "ml.aurum.example"


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory) -> Iterator[tuple[ServerProcess, dict[str, str]]]:
    """A TLS server with a self-signed certificate for its public name (not
    localhost), whose face store cannot be reached (so one service is NOT_SERVING)."""
    cert, key = make_self_signed(tmp_path_factory.mktemp("self-signed"), PUBLIC_NAME)
    tls = {"AURUM_TLS_CERT_FILE": str(cert), "AURUM_TLS_KEY_FILE": str(key)}
    env = {**tls, "AURUM_QDRANT_URL": "http://127.0.0.1:9", "AURUM_QDRANT_TIMEOUT_S": "1"}
    with running_server(env=env) as srv:
        yield srv, tls


def test_health_speaks_tls_with_the_servers_own_settings(self_signed):
    """Inside the server's container (its AURUM_TLS_* set), `aurum-ml health`
    trusts the server's self-signed certificate and expects the name it
    carries: the Docker HEALTHCHECK, as the Dockerfile runs it."""
    srv, tls = self_signed
    ok = _health("--target", f"127.0.0.1:{srv.grpc_port}", "--timeout", "4", env=tls)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip() == f"127.0.0.1:{srv.grpc_port} (server): SERVING"
    # Its default target follows AURUM_GRPC_PORT.
    ok = _health(env={**tls, "AURUM_GRPC_PORT": str(srv.grpc_port)})
    assert ok.stdout.strip() == f"localhost:{srv.grpc_port} (server): SERVING", ok.stderr


def test_health_from_elsewhere_with_the_certificate(self_signed):
    srv, tls = self_signed
    target = ("--target", f"127.0.0.1:{srv.grpc_port}", "--ca", tls["AURUM_TLS_CERT_FILE"])
    line = _one_line(_health(*target))
    assert "does not carry the target's host" in line and "--server-name" in line
    ok = _health(*target, "--server-name", PUBLIC_NAME)
    assert ok.returncode == 0, ok.stderr


def test_health_without_tls_against_a_tls_server_says_what_to_do(self_signed):
    srv, _ = self_signed
    line = _one_line(_health("--target", f"localhost:{srv.grpc_port}"))
    assert "may require TLS" in line and "--ca" in line
    line = _one_line(
        _health("--target", f"127.0.0.1:{srv.grpc_port}", "--ca", str(ROOT / "README.md"))
    )
    assert "health" in line  # an unusable CA file is a message, not a traceback


def test_health_all_checks_every_service(self_signed):
    srv, tls = self_signed
    proc = _health("--service", "all", "--target", f"localhost:{srv.grpc_port}", env=tls)
    assert proc.returncode == 1, proc.stdout  # the face store is unreachable
    lines = dict(line.rsplit(": ", 1) for line in proc.stdout.splitlines())
    target = f"localhost:{srv.grpc_port}"
    assert lines.pop(f"{target} aurum.ml.v1.FaceStore") == "NOT_SERVING"
    assert lines == {
        f"{target} (server)": "SERVING",
        f"{target} aurum.ml.v1.FaceDetection": "SERVING",
        f"{target} aurum.ml.v1.FaceEmbedding": "SERVING",
        f"{target} aurum.ml.v1.ImageProcessing": "SERVING",
        f"{target} aurum.ml.v1.ModelManagement": "SERVING",
        f"{target} aurum.ml.v1.Similarity": "SERVING",
    }


def test_health_mutual_tls(tmp_path):
    certs = make_certs(tmp_path, server_client_auth=True)
    tls = {
        "AURUM_TLS_CERT_FILE": str(certs.server_cert),
        "AURUM_TLS_KEY_FILE": str(certs.server_key),
        "AURUM_TLS_CLIENT_CA_FILE": str(certs.ca),
    }
    with running_server(env=tls) as srv:
        target = f"localhost:{srv.grpc_port}"
        # The server's own settings: its CA as root, its certificate as the client's.
        own = _health("--target", target, "--service", "all", env=tls)
        assert own.returncode == 0, own.stderr
        assert len(own.stdout.splitlines()) == 7  # the server and six services
        # A client elsewhere, with its own certificate.
        pair = ("--cert", str(certs.client_cert), "--key", str(certs.client_key))
        explicit = _health("--target", target, "--ca", str(certs.ca), *pair)
        assert explicit.returncode == 0, explicit.stderr
        # Without a client certificate the handshake fails, and the message says why.
        line = _one_line(_health("--target", target, "--ca", str(certs.ca)))
        assert "TLS handshake" in line and "--cert and --key" in line
        # The wrong CA, and a name the certificate does not carry.
        line = _one_line(_health("--target", target, "--ca", str(certs.client_cert), *pair))
        assert "not signed by a trusted CA" in line
        line = _one_line(
            _health("--target", target, "--ca", str(certs.ca), "--server-name", "ml.example", *pair)
        )
        assert "'ml.example' (--server-name)" in line
        line = _one_line(_health("--target", target, "--cert", str(certs.client_cert)))
        assert line == "aurum-ml health: --cert and --key go together"


def test_health_of_a_missing_service_names_the_ones_there_are(server: ServerProcess):
    line = _one_line(_health("--target", server.grpc_target, "--service", "nope"))
    assert f"{server.grpc_target}: the server has no service 'nope'" in line
    assert "aurum.ml.v1.FaceDetection" in line and "'all'" in line
    every = _health("--target", server.grpc_target, "--service", "all")
    assert every.returncode == 0, every.stderr
    assert "aurum.ml.v1.Similarity: SERVING" in every.stdout


def test_health_with_nothing_listening():
    port = free_port()
    line = _one_line(_health("--target", f"127.0.0.1:{port}"))
    assert "nothing is listening there" in line


# -- compare, embed and detect on local files ----------------------------------------------


def _json(proc: subprocess.CompletedProcess[str]) -> dict:
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def players(photos: Path) -> list[dict]:
    """players.jpg's faces as `aurum-ml detect` lists them."""
    faces = _json(aurum("detect", str(photos / "players.jpg"), "--json"))["faces"]
    assert [f["index"] for f in faces] == list(range(len(faces)))
    return list(faces)


def test_compare_says_which_faces_it_compared(photos, players):
    """Yao Ming is in players.jpg, but not its most prominent face: the answer
    says which face was taken, and how to compare them all."""
    yao, team = str(photos / "yaoming.jpg"), str(photos / "players.jpg")
    proc = aurum("compare", yao, team)
    assert proc.returncode == 0, proc.stderr
    prominent = max(
        players, key=lambda f: f["bbox"]["width"] * f["bbox"]["height"] * f["confidence"]
    )
    b = prominent["bbox"]
    box = f"x={b['x']:.0f} y={b['y']:.0f} w={b['width']:.0f} h={b['height']:.0f}"
    assert f"{team} face #{prominent['index']} ({box})" in proc.stdout
    assert "different people" in proc.stdout
    assert "--best-pair" in proc.stdout
    got = _json(aurum("compare", yao, team, "--json"))
    assert got["face_b"]["index"] == prominent["index"]
    assert got["face_b"]["face"]["bbox"] == pytest.approx(prominent["bbox"])


def test_compare_best_pair_finds_him(photos, players):
    yao, team = str(photos / "yaoming.jpg"), str(photos / "players.jpg")
    got = _json(aurum("compare", yao, team, "--best-pair", "--json"))
    assert got["is_match"] is True and got["similarity"] > 0.5
    assert got["pairs_compared"] == len(players)
    index = got["face_b"]["index"]
    assert got["face_b"]["face"]["bbox"] == pytest.approx(players[index]["bbox"])
    text = aurum("compare", yao, team, "--best-pair")
    assert f"{team} face #{index} (" in text.stdout
    assert f"1 x {len(players)} face pairs" in text.stdout
    assert "same person" in text.stdout
    # The other way round, the same pair.
    back = _json(aurum("compare", team, yao, "--best-pair", "--json"))
    assert back["face_a"]["index"] == index
    assert back["similarity"] == pytest.approx(got["similarity"], abs=1e-5)


def test_embed_says_which_face(photos, players):
    proc = aurum("embed", str(photos / "players.jpg"))
    assert proc.returncode == 0, proc.stderr
    assert "face #" in proc.stdout and "the most prominent face" in proc.stdout
    got = _json(aurum("embed", str(photos / "players.jpg"), "--json"))
    assert got["face"]["bbox"] == pytest.approx(players[got["face_index"]]["bbox"])


@pytest.fixture(scope="module")
def blank(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("blank") / "blank.png"
    cv2.imwrite(str(path), np.full((200, 300, 3), 128, np.uint8))
    return path


@pytest.mark.parametrize("order", ["first", "second"])
def test_no_face_names_the_file(photos, blank, order):
    images = [str(photos / "yaoming.jpg"), str(blank)]
    if order == "first":
        images.reverse()
    line = _one_line(aurum("compare", *images))
    assert line == f"aurum-ml: {blank}: no face found in the image"


def test_detect_draw_numbers_the_boxes(photos, players, tmp_path):
    out = tmp_path / "players.png"
    proc = aurum("detect", str(photos / "players.jpg"), "--draw", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "numbered" in proc.stdout
    drawn = cv2.imread(str(out))
    plain = cv2.imread(str(photos / "players.jpg"))
    assert drawn.shape == plain.shape
    for f in players:
        # The label sits on the box's top edge: a filled green tag with dark text.
        b = f["bbox"]
        x0, y0 = round(b["x"]), round(b["y"])
        tag = drawn[max(0, y0 - 12) : y0, x0 + 3 : x0 + 14]
        green = np.all(tag == (0, 255, 0), axis=-1).mean()
        dark = (tag.max(axis=-1) < 100).mean()
        assert green > 0.2 and dark > 0.05, (f["index"], green, dark)


@pytest.mark.parametrize(
    ("args", "roles"),
    [
        (("detect", "yaoming.jpg"), {"detector"}),
        (("detect", "yaoming.jpg", "--landmarks-106"), {"detector", "landmarks106"}),
        (
            ("detect", "yaoming.jpg", "--detector", "mtcnn"),
            {"mtcnn_pnet", "mtcnn_rnet", "mtcnn_onet"},
        ),
        (("embed", "yaoming.jpg"), {"detector", "embedder"}),
        (("compare", "yaoming.jpg", "yaoming.jpg"), {"detector", "embedder"}),
    ],
)
def test_commands_load_only_the_models_they_run(photos, args, roles):
    command, *rest = args
    files = [str(photos / a) if a.endswith(".jpg") else a for a in rest]
    proc = aurum("--log-level", "INFO", command, *files)
    assert proc.returncode == 0, proc.stderr
    loaded = {
        line.split(" loaded ", 1)[1].split(" ", 1)[0]
        for line in proc.stderr.splitlines()
        if " loaded " in line
    }
    assert loaded == roles


def test_commands_run_the_chosen_model_set(photos):
    """--model-set runs the permissive set's models; what it lacks is named."""
    yao = str(photos / "yaoming.jpg")
    got = _json(aurum("--model-set", "permissive", "embed", yao, "--json"))
    assert len(got["embedding"]) == 128  # SFace's
    proc = aurum("--model-set", "permissive", "compare", yao, yao)
    assert "(threshold 0.525): same person" in proc.stdout, proc.stderr
    proc = aurum("--model-set", "permissive", "detect", yao, "--landmarks-106")
    assert proc.returncode == 1
    assert _one_line(proc).endswith(
        "yaoming.jpg: the 106-point landmark model is not in the model set 'permissive' "
        "this server runs"
    )
    proc = aurum("--model-set", "permissive", "detect", yao, "--detector", "scrfd")
    assert proc.returncode == 2
    assert "its detectors: yunet, mtcnn" in _one_line(proc)


# -- a phone's 27-Mpx photo ---------------------------------------------------------------


@pytest.fixture(scope="module")
def phone_photo(tmp_path_factory, photos: Path) -> Path:
    """players.jpg scaled up to 6000x4500 (27 Mpx), as some phones save by default."""
    big = cv2.resize(cv2.imread(str(photos / "players.jpg")), (6000, 4500))
    path = tmp_path_factory.mktemp("phone") / "phone.jpg"
    cv2.imwrite(str(path), big, [cv2.IMWRITE_JPEG_QUALITY, 70])
    assert path.stat().st_size < 8 * 1024 * 1024
    return path


def test_a_27_mpx_photo_is_refused_naming_the_limit(phone_photo):
    line = _one_line(aurum("detect", str(phone_photo)))
    assert line.startswith(f"aurum-ml: {phone_photo}: image is 6000x4500 pixels")
    assert "25000000" in line


def test_the_refusal_names_the_setting_that_raises_it(phone_photo):
    line = _one_line(aurum("detect", str(phone_photo)))
    assert "AURUM_MAX_IMAGE_PIXELS" in line


def test_raising_the_pixel_limit_as_the_readme_says_accepts_it(phone_photo):
    got = _json(
        aurum("detect", str(phone_photo), "--json", env={"AURUM_MAX_IMAGE_PIXELS": "50000000"})
    )
    assert (got["image_width"], got["image_height"]) == (6000, 4500)
    assert len(got["faces"]) >= 15


@pytest.mark.parametrize("y", [-30.0, 0.0, 3.0, 150.0])
def test_every_number_is_drawn_inside_the_image(y):
    from aurum_ml.local import draw_faces
    from aurum_ml.types import BoundingBox, Face, Landmarks

    image = np.full((200, 200, 3), 255, np.uint8)
    lm = Landmarks.from_array(np.array([[60, 60], [80, 60], [70, 70], [62, 80], [78, 80]], float))
    face = Face(BoundingBox(170.0, y, 40.0, 60.0), lm, 0.9)
    drawn = draw_faces(image, [face])
    green = np.all(drawn == (0, 255, 0), axis=-1)
    dark = drawn.max(axis=-1) < 100
    assert green.sum() > 60 and dark.sum() > 5  # a filled tag with its number in it
    assert not np.array_equal(drawn, image)
