"""The hold clock fires every ladder step once, at its time, before 60 s."""

from __future__ import annotations

import threading
import time
from xml.etree import ElementTree

import pytest
from freezegun import freeze_time

from app.queue import queue_services
from app.queue.ladder import InvalidLadder, parse_ladder
from app.queue.services import Caller

START = "2026-11-23 09:00:00"
LADDER = [
    {"at": 0, "action": "announce"},
    {"at": 20, "action": "raise_priority", "by": 2},
    {"at": 30, "action": "widen", "departments": ["support"]},
    {"at": 40, "action": "alert"},
]


def caller(sid: str, ladder=None, vip=False) -> Caller:
    return Caller(call_sid=sid, department="billing", department_name="Billing",
                  language="en", number="+14155550100", interaction_id=None, customer_id=None,
                  vip=vip, ladder_settings={"ladder": ladder} if ladder else {})


@pytest.fixture(autouse=True)
def someone_signed_in(app):
    """An agent signed in but away: callers wait (nobody signed in is another path)."""
    with app.app_context():
        queue_services().service.store.set_agent_state("busy_bee", "away", ["billing"], time.time(),
                                              "coaching")


def escalations(app) -> list[tuple[str, float]]:
    with app.app_context():
        events = queue_services().events.recent(200)
    return sorted((e["step"], e["waited"]) for e in events if e["type"] == "call.escalated")


def test_every_step_fires_once_at_its_time(app):
    ladder = [*LADDER, {"at": 45, "action": "offer"}]
    with freeze_time(START) as frozen, app.app_context():
        service = queue_services().service
        service.join(caller("CA1", ladder))
        service.join(caller("CA2", ladder))
        clock = queue_services().hold_clock()
        for _ in range(44):  # one second at a time, stopping short of the offer
            frozen.tick(1)
            clock.tick()
        store = service.store
        assert store.call("CA1")["announce"] == "1"
        assert store.call("CA1")["priority"] == "2"
        assert store.waiting("support") == ["CA1", "CA2"]
    fired = escalations(app)
    assert [step for step, _ in fired].count("alert") == 2
    assert {(step, waited) for step, waited in fired} == {
        ("announce", 1.0), ("raise_priority", 20.0), ("widen", 30.0), ("alert", 40.0)
    }


def test_a_restarted_clock_picks_up_the_deadlines_from_redis(app):
    with freeze_time(START) as frozen, app.app_context():
        queue_services().service.join(caller("CA1", [*LADDER, {"at": 45, "action": "offer"}]))
        frozen.tick(21)
        queue_services().hold_clock().tick()  # this "process" dies here
        frozen.tick(10)
        queue_services().hold_clock().tick()  # a new one, with nothing in memory
    assert [s for s, _ in escalations(app)] == ["announce", "raise_priority", "widen"]


def test_two_clocks_racing_fire_each_step_once(app):
    with freeze_time(START) as frozen, app.app_context():
        service = queue_services().service
        for i in range(30):
            service.join(caller(f"CA{i}", [*LADDER, {"at": 45, "action": "offer"}]))
        frozen.tick(41)
        now = time.time()  # freezegun leaves threads on real time, so pass the frozen one

        def run_a_clock() -> None:
            with app.app_context():  # each clock is its own process in production
                queue_services().hold_clock(now=lambda: now).tick()

        threads = [threading.Thread(target=run_a_clock) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    fired = escalations(app)
    assert len(fired) == 30 * 4
    assert len(set(fired)) == 4  # same steps at the same waits, for everyone


def test_hanging_up_stops_the_clock(app):
    with freeze_time(START) as frozen, app.app_context():
        service = queue_services().service
        service.join(caller("CA1", [*LADDER, {"at": 45, "action": "offer"}]))
        frozen.tick(5)
        service.caller_left("CA1")
        frozen.tick(50)
        queue_services().hold_clock().tick()
        assert service.store.waiting("billing") == []
    assert [s for s, _ in escalations(app)] == []


def test_abandoned_caller_is_recorded_with_their_wait(app):
    with freeze_time(START) as frozen, app.app_context():
        service = queue_services().service
        service.join(caller("CA1"))
        frozen.tick(12.5)
        service.caller_left("CA1")
        events = queue_services().events.recent(10)
    abandoned = [e for e in events if e["type"] == "call.abandoned"]
    assert abandoned and abandoned[0]["wait_seconds"] == 12.5


@pytest.mark.parametrize(
    "ladder, complaint",
    [
        ([{"at": 10, "action": "announce"}], "offer"),
        ([{"at": 60, "action": "offer"}], "before 60"),
        ([{"at": 5, "action": "offer"}, {"at": 75, "action": "alert"}], "before 60"),
        ([{"at": "soon", "action": "offer"}], "number of seconds"),
        ([{"at": 5, "action": "dance"}], "Unknown action"),
        ([{"at": 5, "action": "offer"}, {"at": 1, "action": "raise_priority", "by": 0}], "'by'"),
        ([], "non-empty"),
    ],
)
def test_ladders_that_would_let_a_caller_wait_are_refused(ladder, complaint):
    with pytest.raises(InvalidLadder) as caught:
        parse_ladder(ladder)
    assert complaint in caught.value.message


def test_vip_callers_go_ahead_of_standard_ones(app):
    with freeze_time(START) as frozen, app.app_context():
        service = queue_services().service
        service.join(caller("CA1"))
        frozen.tick(3)
        service.join(caller("VIP", vip=True))
        assert service.store.waiting("billing") == ["VIP", "CA1"]


def test_with_nobody_signed_in_the_caller_is_offered_a_way_out_at_once(app):
    with freeze_time(START), app.app_context():
        service = queue_services().service
        service.store.set_agent_state("busy_bee", "offline", ["billing"], time.time())
        root = ElementTree.fromstring(str(service.join(caller("CA1"))))
        gather = root.find("Gather")
        assert gather is not None and gather.get("numDigits") == "1"
        spoken = gather.find("Say").text
        assert spoken.startswith("We are sorry: nobody in Billing can take your call right now.")
        assert "press 1" in spoken and "press 3" in spoken
        assert service.store.call("CA1")["state"] == "in_offer"
        # Keeping waiting puts them back in line, for when someone signs in.
        root = ElementTree.fromstring(str(service.offer_choice("CA1", "1")))
        assert root.find("Dial/Conference").text == "CA1"
        assert service.store.waiting("billing") == ["CA1"]
