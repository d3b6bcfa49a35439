"""The one page-size rule and page-token scheme (store.paging), without a store."""

from __future__ import annotations

import base64
import json
import time

import pytest

from aurum_ml.errors import InvalidInput
from aurum_ml.store import decode_token, encode_token, page_size
from aurum_ml.store.paging import decode_subject_token

BAD_TOKEN = "page_token is not one this server issued"
FACE_KEY = (float, str, int, str)


def raw_token(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(("asked", "given"), [(0, 100), (1, 1), (100, 100), (1000, 1000)])
def test_page_size(asked: int, given: int) -> None:
    assert page_size(asked) == given


@pytest.mark.parametrize("bad", [1001, -1, True, False, 2.0, "10", None])
def test_page_size_rejects(bad: object) -> None:
    with pytest.raises(InvalidInput) as err:
        page_size(bad)  # type: ignore[arg-type]
    assert err.value.message == "page_size must be 0 (default 100) or 1-1000"


def test_tokens_round_trip_exactly() -> None:
    now = time.time()
    key = (now, "ab" * 32, 3, "9b2f1f4e-5d7a-5c1e-8f7e-0a1b2c3d4e5f")
    token = encode_token(key)
    assert decode_token(token, FACE_KEY) == key
    subject = "Zoë / 山田 \U0001f600 &?=#"
    assert decode_token(encode_token([subject]), (str,)) == (subject,)


def test_tokens_are_url_safe_without_padding() -> None:
    for key in (["a"], ["ab"], ["abc"], ["\U0001f600" * 40], [1.5, "?", 7, "/"]):
        token = encode_token(key)
        assert "=" not in token
        assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_int_stands_for_a_float_but_not_the_reverse() -> None:
    assert decode_token(encode_token([5, "s", 1, "f"]), FACE_KEY) == (5.0, "s", 1, "f")
    with pytest.raises(InvalidInput, match=BAD_TOKEN):
        decode_token(encode_token([5.0, "s", 1.0, "f"]), FACE_KEY)


@pytest.mark.parametrize(
    "token",
    [
        "%%%",
        "not base64!",
        "a",  # impossible base64 length
        "////",  # standard-alphabet characters we never issue
        raw_token("not json"),
        raw_token('{"a": 1}'),
        raw_token('"just a string"'),
        raw_token("[]"),
        raw_token('["a", "b"]'),  # wrong length
        raw_token("[1]"),  # wrong type
        raw_token("[true]"),
        raw_token("[null]"),
        raw_token('[["nested"]]'),
        raw_token("[NaN]"),
        raw_token("\xff"),
        raw_token("[" * 3000),  # deeper than the JSON parser recurses
        raw_token("[" * 100_000),
        encode_token(["x" * 5000]),  # longer than any token we issue
    ],
)
def test_malformed_tokens_are_invalid_input(token: str) -> None:
    with pytest.raises(InvalidInput) as err:
        decode_token(token, (str,))
    assert err.value.message == BAD_TOKEN


@pytest.mark.parametrize(
    "key",
    [
        ["only-a-subject"],
        [1.0, "sha", 0],  # one short
        [1.0, "sha", 0, "id", "extra"],
        ["1.0", "sha", 0, "id"],
        [1.0, "sha", True, "id"],
        [1.0, "sha", 0, 7],
    ],
)
def test_tokens_of_the_wrong_shape_are_invalid_input(key: list[object]) -> None:
    token = raw_token(json.dumps(key))
    with pytest.raises(InvalidInput, match=BAD_TOKEN):
        decode_token(token, FACE_KEY)


def test_encode_refuses_what_it_could_not_decode() -> None:
    with pytest.raises(ValueError):
        encode_token([float("nan")])


def test_list_subjects_tokens_of_the_previous_release_still_work() -> None:
    # Earlier servers issued plain base64 of the last subject id; a client
    # paging across a rolling upgrade must not get an error.
    legacy = base64.urlsafe_b64encode(b"alice").decode().rstrip("=")
    assert decode_subject_token(legacy) == "alice"
    assert decode_subject_token(encode_token(["bob"])) == "bob"
    for bad in ("%%%", encode_token([1.0, "x", 2, "id"])):
        with pytest.raises(InvalidInput, match="not one this server issued"):
            decode_subject_token(bad)
