"""Identify every face of a photo: players.jpg with its 16 foreground players
enrolled (each from a crop of its own, rescaled and recompressed, as another
photo of that person would be) names each of them at its own box, over gRPC,
REST and the command line, in one call."""

from __future__ import annotations

import base64
import os
import subprocess

import cv2
import grpc
import httpx
import pytest

from aurum.ml.v1 import common_pb2, detection_pb2, detection_pb2_grpc, face_store_pb2
from aurum.ml.v1 import face_store_pb2_grpc as fs_grpc
from aurum_ml.testing import CLI, ROOT, running_server
from aurum_ml.testing.photos import FOREGROUND_MIN_WIDTH, crop_photo, same_place

PLAYERS = ROOT / "models" / "photos" / "players.jpg"


def test_identify_all_faces_names_each_player_at_its_box(tmp_path) -> None:
    data = PLAYERS.read_bytes()
    image = cv2.imread(str(PLAYERS), cv2.IMREAD_COLOR)
    env = {"AURUM_DATA_DIR": str(tmp_path)}
    with running_server(env) as srv, srv.channel() as channel:
        store = fs_grpc.FaceStoreStub(channel)
        found = detection_pb2_grpc.FaceDetectionStub(channel).Detect(
            detection_pb2.DetectRequest(image=common_pb2.Image(data=data))
        )
        players = [f for f in found.faces if f.bbox.width >= FOREGROUND_MIN_WIDTH]
        assert len(players) == 16 and len(found.faces) == 22
        for n, face in enumerate(players):
            store.Enroll(
                face_store_pb2.EnrollRequest(
                    gallery="team",
                    subject_id=f"player-{n:02d}",
                    image=common_pb2.Image(data=crop_photo(image, face.bbox)),
                )
            )

        answer = store.Identify(
            face_store_pb2.IdentifyRequest(
                gallery="team", image=common_pb2.Image(data=data), top_k=3, all_faces=True
            )
        )
        assert len(answer.faces) == 22
        for n, face in enumerate(players):
            (mine,) = [a for a in answer.faces if same_place(a.face.bbox, face.bbox)]
            best = mine.matches[0]
            assert (best.subject_id, best.is_match) == (f"player-{n:02d}", True), (n, mine)
        # The top-level answer is the most prominent face's, and says which face.
        prominent = [a for a in answer.faces if a.face.bbox == answer.face.bbox]
        assert prominent and prominent[0].matches == answer.matches

        with httpx.Client(base_url=srv.rest_url, timeout=60) as http:
            rest = http.post(
                "/api/faces/galleries/team/identify",
                json={"image": base64.b64encode(data).decode(), "top_k": 3, "all_faces": True},
            ).json()
        assert [(f["face"]["bbox"]["x"], f["matches"][0]["subject_id"]) for f in rest["faces"]] == [
            (pytest.approx(a.face.bbox.x, abs=1e-3), a.matches[0].subject_id) for a in answer.faces
        ]

        # all_faces needs an image: an embedding is refused on both doors.
        with pytest.raises(grpc.RpcError) as err:
            store.Identify(
                face_store_pb2.IdentifyRequest(
                    gallery="team", embedding={"values": [0.1] * 512}, all_faces=True
                )
            )
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        with httpx.Client(base_url=srv.rest_url, timeout=60) as http:
            bad = http.post(
                "/api/faces/galleries/team/identify",
                json={"embedding": [0.1] * 512, "all_faces": True},
            )
        assert bad.status_code == 400

    # The command line, on the same folder once the server has let go of it.
    done = subprocess.run(
        [str(CLI), "identify", "team", str(PLAYERS)],
        env={**os.environ, "AURUM_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 22
    for n, face in enumerate(players):
        at_box = [ln for ln in lines if f"(x={face.bbox.x:.0f} y={face.bbox.y:.0f} " in ln]
        assert len(at_box) == 1 and f": player-{n:02d} (" in at_box[0], (n, lines)
