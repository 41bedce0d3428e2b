"""The transfer state machine's moves in Redis: compare-and-set, one winner, no way back."""

from __future__ import annotations

import pytest

from app.calls.machine import FINAL, LIVE, MOVES
from app.calls.store import ControlStore
from app.queue import queue_services

SID = "CA" + "1" * 32


@pytest.fixture
def store(app) -> ControlStore:
    with app.app_context():
        yield ControlStore(queue_services().store)


def transfer(store: ControlStore, tid: str = "TR1") -> str:
    return store.create_transfer(SID, {"id": tid, "call_sid": SID, "state": "initiated"})


def test_only_one_live_transfer_per_call(store):
    assert transfer(store, "TR1") == "ok"
    assert transfer(store, "TR2") == "initiated"
    assert store.transfer(SID)["id"] == "TR1"
    assert store.transition(SID, "TR1", MOVES["failed"], "failed", reason="no_answer")
    assert transfer(store, "TR2") == "ok"  # a finished transfer does not block the next


def test_moves_follow_the_machine(store):
    transfer(store)
    assert not store.transition(SID, "TR1", MOVES["three_way"], "three_way")
    assert store.transition(SID, "TR1", MOVES["target_ringing"], "target_ringing")
    assert store.transition(SID, "TR1", MOVES["consulting"], "consulting", to_agent="bob")
    assert store.transfer(SID)["to_agent"] == "bob"
    assert store.transition(SID, "TR1", MOVES["completed"], "completed")
    for state in ("cancelled", "failed", "consulting"):
        assert not store.transition(SID, "TR1", MOVES[state], state)
    assert store.transfer(SID)["state"] == "completed"


def test_a_move_of_another_transfer_is_refused(store):
    transfer(store)
    assert not store.transition(SID, "TR-old", MOVES["cancelled"], "cancelled")
    assert store.transfer(SID)["state"] == "initiated"


def test_every_live_state_can_end_and_final_states_are_final():
    for state in LIVE:
        assert state in MOVES["cancelled"] and state in MOVES["failed"]
    for moves in MOVES.values():
        assert not moves & FINAL
