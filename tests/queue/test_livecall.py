"""The live-call model: one reader of the call hash, one word per state and audience."""

from __future__ import annotations

import json

import pytest

from app.queue.livecall import (
    WORDS,
    Audience,
    CallState,
    LiveCall,
    read,
    read_many,
    word,
)


def _enqueue(store, sid: str, **fields) -> None:
    store.enqueue(sid, "sales", priority=2, since=100.0, number="+15550001", **fields)


def test_read_types_what_the_queue_wrote(store):
    ladder = [{"at": 30, "action": "announce"}, {"at": 60, "action": "offer"}]
    _enqueue(store, "CA1", customer_id=7, language="hi", ladder=json.dumps(ladder),
             interaction_id=12)
    store.set_call_fields("CA1", **{"fired:1:0": "130.000"})

    call = read(store.redis, "CA1", store.keys)

    assert call == LiveCall.from_fields("CA1", store.call("CA1"))
    assert (call.sid, call.state, call.department, call.queues) == (
        "CA1", CallState.WAITING, "sales", ("sales",))
    assert (call.number, call.customer_id, call.language, call.priority) == (
        "+15550001", 7, "hi", 2)
    assert (call.since, call.answered_at, call.generation, call.interaction_id) == (
        100.0, None, 1, 12)
    assert call.live and call.kind == "call"
    assert call.fired() == {0: 130.0}


def test_no_hash_is_none_and_read_many_leaves_it_out(store):
    _enqueue(store, "CA1")
    _enqueue(store, "CA2")
    assert read(store.redis, "CA9", store.keys) is None
    assert store.live("CA9") is None
    assert sorted(read_many(store.redis, ["CA2", "CA9", "CA1"], store.keys)) == ["CA1", "CA2"]


def test_states_follow_the_scripts(store):
    _enqueue(store, "CA1")
    store.park("CA1")
    assert store.live("CA1").state is CallState.IN_OFFER
    store.unpark("CA1")
    store.hang_up("CA1", 200.0)
    call = store.live("CA1")
    assert call.state is CallState.ENDED and not call.live


def test_a_new_wait_bumps_the_generation(store):
    _enqueue(store, "CA1")
    assert store.bump_generation("CA1") == 2
    assert store.live("CA1").generation == 2


def test_every_state_has_a_word_for_every_audience():
    for audience in Audience:
        assert set(WORDS[audience]) == set(CallState)


@pytest.mark.parametrize("audience", list(Audience))
def test_the_offer_menu_is_choosing_for_everyone(audience):
    # Once "waiting" for the console and the supervisor API, "choosing" for the dashboard.
    assert word(CallState.IN_OFFER, audience) == "choosing"
    assert word("in_offer", audience) == "choosing"
    assert word("offered", audience) == "ringing"
    assert word("connected", audience) == "talking"


def test_an_unknown_state_is_shown_as_stored():
    assert word("something_new", Audience.FLOOR) == "something_new"
    assert word(None, Audience.API) == ""
