"""StoreConnection: opening, health, recovery and shutdown, on real embedded Qdrant."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from aurum_ml.errors import InvalidInput, NotFound, ServiceUnavailable
from aurum_ml.store import FaceStore, StoreConfig, StoreConnection, open_store

MODEL = ("arcface", "1.0")
LOCKED = (
    "the face store is unavailable: the local face store folder is in use by another "
    "process or store instance"
)
CLOSED = "the face store is closed: the server is shutting down"


def fail(message: str):
    def fn(store: FaceStore) -> None:
        raise ServiceUnavailable(message)

    return fn


def test_opens_on_request_not_before() -> None:
    conn = StoreConnection(StoreConfig())
    assert conn.serving is False
    assert conn.why_not == "the face store has not been opened yet"
    assert conn.open() is True
    assert conn.serving is True and conn.why_not == ""
    info = conn.call(lambda s: s.create_gallery("g", *MODEL, 8))
    assert info.name == "g"
    conn.close()


def test_first_call_opens_the_store() -> None:
    conn = StoreConnection(StoreConfig())
    assert conn.call(lambda s: s.list_galleries()) == []
    assert conn.serving is True
    conn.close()


def test_description_never_shows_credentials(tmp_path: Path) -> None:
    assert StoreConnection(StoreConfig()).description == "in-memory store"
    folder = StoreConnection(StoreConfig(location=str(tmp_path / "db")))
    assert folder.description == f"folder {tmp_path / 'db'}"
    remote = StoreConnection(StoreConfig(url="http://user:secret@db:6333", api_key="key-123"))
    assert remote.description == "Qdrant server"


def test_locked_folder_is_unavailable_until_released(tmp_path: Path) -> None:
    cfg = StoreConfig(location=str(tmp_path / "db"))
    holder = open_store(cfg)
    try:
        conn = StoreConnection(cfg, retry_s=0)
        assert conn.open() is False
        assert conn.why_not.startswith("the local face store folder is in use")
        with pytest.raises(ServiceUnavailable) as err:
            conn.require()
        assert err.value.message.startswith(LOCKED)
        assert str(tmp_path) not in err.value.message
        with pytest.raises(ServiceUnavailable, match="in use by another process"):
            conn.call(lambda s: s.list_galleries())
        assert conn.probe() is False
    finally:
        holder.close()
    # With retry_s=0 the next call tries again, and finds the folder free.
    conn.require()
    assert conn.serving is True
    assert conn.call(lambda s: s.list_galleries()) == []
    conn.close()


def test_probe_reopens_a_released_folder(tmp_path: Path) -> None:
    cfg = StoreConfig(location=str(tmp_path / "db"))
    holder = open_store(cfg)
    conn = StoreConnection(cfg, retry_s=0)
    assert conn.probe() is False
    holder.close()
    assert conn.probe() is True
    conn.close()


def test_reopening_waits_retry_s(tmp_path: Path) -> None:
    cfg = StoreConfig(location=str(tmp_path / "db"))
    holder = open_store(cfg)
    conn = StoreConnection(cfg, retry_s=3600)
    assert conn.open() is False
    holder.close()
    # The folder is free now, but the last try is not retry_s old.
    with pytest.raises(ServiceUnavailable, match="in use by another process"):
        conn.require()
    assert conn.open() is False and conn.probe() is False
    conn.close()


def test_close_is_idempotent_and_releases_the_folder(tmp_path: Path) -> None:
    cfg = StoreConfig(location=str(tmp_path / "db"))
    conn = StoreConnection(cfg, retry_s=0)
    assert conn.open() is True
    conn.close()
    conn.close()
    assert conn.serving is False
    assert conn.why_not == CLOSED
    with pytest.raises(ServiceUnavailable) as err:
        conn.require()
    assert err.value.message == CLOSED
    with pytest.raises(ServiceUnavailable, match="shutting down"):
        conn.call(lambda s: s.list_galleries())
    # Closed for good: neither a probe nor open brings it back ...
    assert conn.probe() is False and conn.open() is False
    # ... and the folder is free for another instance.
    open_store(cfg).close()


def test_close_before_open() -> None:
    conn = StoreConnection(StoreConfig())
    conn.close()
    with pytest.raises(ServiceUnavailable, match="shutting down"):
        conn.require()


def test_unavailable_from_a_call_marks_it_failing_until_a_call_succeeds() -> None:
    conn = StoreConnection(StoreConfig(), retry_s=3600)
    conn.open()
    with pytest.raises(ServiceUnavailable, match="server went away"):
        conn.call(fail("server went away"))
    assert conn.serving is False
    assert conn.why_not == "server went away"
    # Open but failing: calls are still let through, and one that the store
    # answers marks it healthy again.
    conn.require()
    assert conn.call(lambda s: s.list_galleries()) == []
    assert conn.serving is True and conn.why_not == ""
    conn.close()


@pytest.mark.parametrize(
    "answer",
    [
        lambda s: s.get_gallery("missing"),  # NotFound from the store
        lambda s: s.get_gallery("bad name"),  # InvalidInput
    ],
)
def test_an_error_answer_means_the_store_is_healthy(answer) -> None:
    conn = StoreConnection(StoreConfig())
    conn.open()
    with pytest.raises(ServiceUnavailable):
        conn.call(fail("down"))
    with pytest.raises((NotFound, InvalidInput)):
        conn.call(answer)
    assert conn.serving is True
    conn.close()


def test_a_bug_in_fn_changes_nothing() -> None:
    conn = StoreConnection(StoreConfig())
    conn.open()
    with pytest.raises(ServiceUnavailable):
        conn.call(fail("down"))

    def bug(store: FaceStore) -> None:
        raise KeyError("oops")

    with pytest.raises(KeyError):
        conn.call(bug)
    assert conn.serving is False and conn.why_not == "down"
    conn.close()


def test_probe_checks_a_failing_store() -> None:
    conn = StoreConnection(StoreConfig(), retry_s=0)
    conn.open()
    with pytest.raises(ServiceUnavailable):
        conn.call(fail("down"))
    assert conn.probe() is True
    assert conn.why_not == ""
    conn.close()


def test_unreachable_server() -> None:
    conn = StoreConnection(StoreConfig(url="http://127.0.0.1:9", timeout_s=1.0), retry_s=3600)
    assert conn.open() is False
    assert conn.why_not == "the face store server is unreachable or rejected the api key"
    with pytest.raises(ServiceUnavailable, match="unreachable"):
        conn.require()


def test_calls_from_many_threads() -> None:
    conn = StoreConnection(StoreConfig())
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            for _ in range(10):
                conn.call(lambda s: s.create_gallery(f"g{i}", *MODEL, 8))
                assert conn.call(lambda s: s.count(f"g{i}")) == 0
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert conn.serving is True
    assert sorted(g.name for g in conn.call(lambda s: s.list_galleries())) == [
        "g0",
        "g1",
        "g2",
        "g3",
    ]
    conn.close()
