"""Large REST bodies are parsed piece by piece off the event loop; the result
must be exactly json.loads's, and every body json.loads refuses is refused."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aurum_ml.errors import InvalidInput
from aurum_ml.rest.jsonbody import check_array_count, loads_in_pieces

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=6) | st.dictionaries(st.text(max_size=6), children, max_size=6)
    ),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(_json, st.sampled_from([None, 0, 2]))
def test_same_value_as_json_loads(value: Any, indent: int | None) -> None:
    text = json.dumps(value, indent=indent)
    assert loads_in_pieces(text) == json.loads(text)


@settings(max_examples=300, deadline=None)
@given(_json, st.data())
def test_damaged_bodies_are_refused_exactly_when_json_loads_refuses_them(
    value: Any, data: st.DataObject
) -> None:
    text = json.dumps(value)
    cut = data.draw(st.integers(0, len(text)))
    insert = data.draw(st.sampled_from(["", ",", "]", "[", "}", "{", '"', " ", "x", "1"]))
    damaged = text[:cut] + insert + text[cut + data.draw(st.integers(0, 2)) :]
    try:
        expected = json.loads(damaged)
    except json.JSONDecodeError:
        with pytest.raises(json.JSONDecodeError):
            loads_in_pieces(damaged)
    else:
        got = loads_in_pieces(damaged)
        assert json.dumps(got) == json.dumps(expected)


def test_long_flat_arrays_and_special_numbers() -> None:
    body = json.dumps({"query": [0.5] * 200_000, "candidates": [[1.0, -2e-3]] * 3})
    assert loads_in_pieces(body) == json.loads(body)
    value = loads_in_pieces("[NaN, Infinity, -Infinity, 1e400]")
    assert math.isnan(value[0]) and value[1:] == [math.inf, -math.inf, math.inf]


def test_too_many_arrays_are_refused_before_parsing() -> None:
    check_array_count(b"[[1],[2]]", 3)
    with pytest.raises(InvalidInput, match="holds 3 JSON arrays; at most 2 are accepted"):
        check_array_count(b"[[1],[2]]", 2)
