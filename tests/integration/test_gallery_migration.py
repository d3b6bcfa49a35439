"""Gallery migration on a real server with the real models: a gallery enrolled
with w600k_mbf (keeping its face crops) moves to SFace while Identify keeps
answering, survives a SIGKILL halfway (the restarted server resumes and
completes it), and afterwards names the same people at the same boxes of
players.jpg. A gallery without crops says migration needs re-enrolment, and
only operator keys may migrate."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import grpc
import httpx
import pytest

from aurum.ml.v1 import (
    common_pb2,
    detection_pb2,
    detection_pb2_grpc,
    face_store_pb2,
    face_store_pb2_grpc,
    models_pb2,
    models_pb2_grpc,
)
from aurum_ml.testing import ServerProcess, start_server
from aurum_ml.testing.photos import FOREGROUND_MIN_WIDTH, crop_photo, same_place
from tests.integration.keys import AS_CLIENT, AS_OPERATOR, KEY, OPERATOR, SFACE, W600K

#: Copies of gdp.jpg's 5 faces enrolled besides the players, so the migration
#: lasts long enough to be killed halfway on any machine.
CROWDS = 50


class Prober:
    """Identify Yao Ming from another photo, again and again, on its own
    channel: every answer's model, and every failure."""

    def __init__(self, srv: ServerProcess, image: bytes) -> None:
        self.models: list[str] = []
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(srv, image))
        self._thread.start()

    def _run(self, srv: ServerProcess, image: bytes) -> None:
        with srv.channel() as ch:
            faces = face_store_pb2_grpc.FaceStoreStub(ch)
            while not self._stop.is_set():
                try:
                    answer = faces.Identify(
                        face_store_pb2.IdentifyRequest(
                            gallery="team", image=common_pb2.Image(data=image), top_k=1
                        ),
                        metadata=AS_CLIENT,
                        timeout=30,
                    )
                    if answer.matches[0].subject_id != "yao":
                        self.failures.append(f"answered {answer.matches[0].subject_id}")
                    self.models.append(answer.model.name)
                except grpc.RpcError as e:
                    self.failures.append(f"{e.code()}: {e.details()}")
                time.sleep(0.05)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def _until(
    what: Callable[[], models_pb2.GalleryMigration],
    done: Callable[[models_pb2.GalleryMigration], bool],
    timeout: float,
) -> models_pb2.GalleryMigration:
    deadline = time.monotonic() + timeout
    while True:
        status = what()
        if done(status) or time.monotonic() > deadline:
            return status
        time.sleep(0.05)


def _who_is_where(
    faces: face_store_pb2_grpc.FaceStoreStub, photo: bytes, players: list[common_pb2.Face]
) -> tuple[list[tuple[str, bool]], str]:
    """The best match at each player's box in players.jpg, and the model."""
    answer = faces.Identify(
        face_store_pb2.IdentifyRequest(
            gallery="team", image=common_pb2.Image(data=photo), top_k=1, all_faces=True
        ),
        metadata=AS_CLIENT,
        timeout=60,
    )
    out = []
    for player in players:
        (mine,) = [a for a in answer.faces if same_place(a.face.bbox, player.bbox)]
        out.append((mine.matches[0].subject_id, mine.matches[0].is_match))
    return out, answer.model.name


def test_a_gallery_migrates_to_sface_across_a_kill_and_names_the_same_people(
    tmp_path: Path, photos: Path
) -> None:
    env = {
        "AURUM_DATA_DIR": str(tmp_path),
        "AURUM_API_KEYS": KEY,
        "AURUM_OPERATOR_KEYS": OPERATOR,
    }
    players_jpg = (photos / "players.jpg").read_bytes()
    yaoming = (photos / "yaoming.jpg").read_bytes()
    gdp = (photos / "gdp.jpg").read_bytes()
    image = cv2.imread(str(photos / "players.jpg"), cv2.IMREAD_COLOR)

    first = start_server(env)
    try:
        with first.channel() as ch:
            manage = models_pb2_grpc.ModelManagementStub(ch)
            faces = face_store_pb2_grpc.FaceStoreStub(ch)
            manage.LoadModel(
                models_pb2.LoadModelRequest(role="embedder", version=SFACE.version),
                metadata=AS_OPERATOR,
                timeout=60,
            )

            # A gallery without crops cannot be re-embedded.
            faces.Enroll(
                face_store_pb2.EnrollRequest(
                    gallery="plain", subject_id="yao", image=common_pb2.Image(data=yaoming)
                ),
                metadata=AS_CLIENT,
                timeout=30,
            )
            with pytest.raises(grpc.RpcError) as e:
                manage.StartGalleryMigration(
                    models_pb2.StartGalleryMigrationRequest(gallery="plain", model_name=SFACE.name),
                    metadata=AS_OPERATOR,
                    timeout=30,
                )
            assert e.value.code() == grpc.StatusCode.FAILED_PRECONDITION
            assert "migration needs re-enrolment" in (e.value.details() or "")

            team = faces.CreateGallery(
                face_store_pb2.CreateGalleryRequest(name="team", keep_face_crops=True),
                metadata=AS_CLIENT,
                timeout=10,
            )
            assert team.keeps_face_crops and team.model.name == W600K.name
            with pytest.raises(grpc.RpcError) as e:
                faces.Enroll(
                    face_store_pb2.EnrollRequest(
                        gallery="team", subject_id="x", embedding={"values": [0.1] * 512}
                    ),
                    metadata=AS_CLIENT,
                    timeout=30,
                )
            assert e.value.code() == grpc.StatusCode.FAILED_PRECONDITION

            found = detection_pb2_grpc.FaceDetectionStub(ch).Detect(
                detection_pb2.DetectRequest(image=common_pb2.Image(data=players_jpg)),
                metadata=AS_CLIENT,
                timeout=30,
            )
            players = [f for f in found.faces if f.bbox.width >= FOREGROUND_MIN_WIDTH]
            assert len(players) == 16

            def enroll(subject: str, photo: bytes, all_faces: bool = False) -> None:
                faces.Enroll(
                    face_store_pb2.EnrollRequest(
                        gallery="team",
                        subject_id=subject,
                        image=common_pb2.Image(data=photo),
                        all_faces=all_faces,
                    ),
                    metadata=AS_CLIENT,
                    timeout=60,
                )

            for n, face in enumerate(players):
                enroll(f"player-{n:02d}", crop_photo(image, face.bbox))
            enroll("yao", yaoming)
            for k in range(CROWDS):
                enroll(f"crowd-{k:02d}", gdp, all_faces=True)
            crowd = faces.GetSubject(
                face_store_pb2.GetSubjectRequest(gallery="team", subject_id="crowd-00"),
                metadata=AS_CLIENT,
                timeout=10,
            ).face_count
            total = 16 + 1 + CROWDS * crowd
            before, model = _who_is_where(faces, players_jpg, players)
            assert model == W600K.name
            assert before == [(f"player-{n:02d}", True) for n in range(16)]

            # A cancelled migration leaves the gallery as it was.
            manage.StartGalleryMigration(
                models_pb2.StartGalleryMigrationRequest(gallery="team", model_name=SFACE.name),
                metadata=AS_OPERATOR,
                timeout=30,
            )
            cancelled = manage.CancelGalleryMigration(
                models_pb2.CancelGalleryMigrationRequest(gallery="team"),
                metadata=AS_OPERATOR,
                timeout=30,
            )
            assert cancelled.state == "cancelled" and cancelled.finished_at > 0
            kept = faces.GetGallery(
                face_store_pb2.GetGalleryRequest(name="team"), metadata=AS_CLIENT, timeout=10
            )
            assert (kept.model.name, kept.face_count) == (W600K.name, total)
            with pytest.raises(grpc.RpcError) as e:
                manage.CancelGalleryMigration(
                    models_pb2.CancelGalleryMigrationRequest(gallery="team"),
                    metadata=AS_OPERATOR,
                    timeout=30,
                )
            assert e.value.code() == grpc.StatusCode.NOT_FOUND

            started = manage.StartGalleryMigration(
                models_pb2.StartGalleryMigrationRequest(gallery="team", model_name=SFACE.name),
                metadata=AS_OPERATOR,
                timeout=30,
            )
            assert (started.to_model_name, started.to_model_version) == (
                SFACE.name,
                SFACE.version,
            )
            assert started.state == "running" and started.total == total
            prober = Prober(first, yaoming)
            try:
                halfway = _until(
                    lambda: manage.GetGalleryMigration(
                        models_pb2.GetGalleryMigrationRequest(gallery="team"),
                        metadata=AS_OPERATOR,
                        timeout=10,
                    ),
                    lambda s: s.migrated >= 64,
                    timeout=120,
                )
            finally:
                prober.stop()
            assert 64 <= halfway.migrated < total, halfway
            assert prober.failures == [] and prober.models
            assert set(prober.models) == {W600K.name}
    finally:
        first.stop(signal.SIGKILL)

    # The same folder: the saved model plan loads SFace, and the migration resumes.
    second = start_server(env)
    try:
        with second.channel() as ch:
            manage = models_pb2_grpc.ModelManagementStub(ch)
            faces = face_store_pb2_grpc.FaceStoreStub(ch)
            prober = Prober(second, yaoming)
            try:
                done = _until(
                    lambda: manage.GetGalleryMigration(
                        models_pb2.GetGalleryMigrationRequest(gallery="team"),
                        metadata=AS_OPERATOR,
                        timeout=10,
                    ),
                    lambda s: s.state == "done",
                    timeout=240,
                )
                time.sleep(0.5)
            finally:
                prober.stop()
            assert done.state == "done", done
            assert (done.total, done.migrated) == (total, total)
            assert "resum" in second.log() or "migrating to model" in second.log()
            # No query failed, before or across the switch.
            assert prober.failures == []
            assert prober.models[-1] == SFACE.name

            gallery = faces.GetGallery(
                face_store_pb2.GetGalleryRequest(name="team"), metadata=AS_CLIENT, timeout=10
            )
            assert (gallery.model.name, gallery.dim, gallery.face_count) == (SFACE.name, 128, total)
            after, model = _who_is_where(faces, players_jpg, players)
            assert model == SFACE.name
            # The same people at the same boxes.
            assert [s for s, _ in after] == [s for s, _ in before]
            assert all(ok for _, ok in after)

            listed = manage.ListGalleryMigrations(
                models_pb2.ListGalleryMigrationsRequest(), metadata=AS_OPERATOR, timeout=10
            )
            assert [m.gallery for m in listed.migrations] == ["team"]
            with pytest.raises(grpc.RpcError) as e:
                manage.GetGalleryMigration(
                    models_pb2.GetGalleryMigrationRequest(gallery="team"),
                    metadata=AS_CLIENT,
                    timeout=10,
                )
            assert e.value.code() == grpc.StatusCode.PERMISSION_DENIED

        rest = second.rest_url + "/api/models/migrations/team"
        assert httpx.get(rest, headers={"x-api-key": KEY}).status_code == 403
        answer = httpx.get(rest, headers={"x-api-key": OPERATOR})
        assert answer.status_code == 200, answer.text
        assert answer.json()["migration"]["state"] == "done"
        none = httpx.get(
            second.rest_url + "/api/models/migrations/plain", headers={"x-api-key": OPERATOR}
        )
        assert none.status_code == 404, none.text
    finally:
        second.stop()
