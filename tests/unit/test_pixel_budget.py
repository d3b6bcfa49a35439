"""The decoded-pixel budget: shares held across threads, waits bounded by the
call's deadline, a share over the whole budget refused at once."""

from __future__ import annotations

import threading
import time

import pytest

from aurum_ml.core.budget import PixelBudget
from aurum_ml.core.workers import Deadline
from aurum_ml.errors import ImageTooLarge, Overloaded


def test_shares_are_held_for_the_block_and_given_back() -> None:
    budget = PixelBudget(100)
    with budget.hold(60, Deadline(1)):
        assert budget.held == 60
        with budget.hold(40, Deadline(1)):
            assert budget.held == 100
    assert budget.held == 0


def test_a_share_given_back_wakes_a_waiting_call() -> None:
    budget = PixelBudget(100)
    release = threading.Event()
    held = threading.Event()

    def holder() -> None:
        with budget.hold(80, Deadline(5)):
            held.set()
            release.wait(5)

    t = threading.Thread(target=holder)
    t.start()
    held.wait(5)
    threading.Timer(0.2, release.set).start()
    began = time.monotonic()
    with budget.hold(50, Deadline(5)):
        waited = time.monotonic() - began
    t.join()
    assert 0.15 < waited < 2.0
    assert budget.held == 0


def test_a_call_that_cannot_get_its_share_in_time_is_overloaded() -> None:
    budget = PixelBudget(100)
    with budget.hold(80, Deadline(5)):
        began = time.monotonic()
        with (
            pytest.raises(Overloaded, match="decoding 0 MB of images, its budget"),
            budget.hold(50, Deadline(0.2)),
        ):
            pass
        assert 0.15 < time.monotonic() - began < 1.0
    assert budget.held == 0


def test_a_share_larger_than_the_budget_is_refused_without_waiting() -> None:
    budget = PixelBudget(10 * 1024 * 1024)
    with (
        pytest.raises(ImageTooLarge, match="takes 75 MB, more than the server's whole"),
        budget.hold(75 * 1024 * 1024, Deadline(5)),
    ):
        pass
    assert budget.held == 0


def test_an_error_inside_the_block_gives_the_share_back() -> None:
    budget = PixelBudget(100)
    with pytest.raises(RuntimeError), budget.hold(70, Deadline(1)):
        raise RuntimeError("boom")
    assert budget.held == 0
