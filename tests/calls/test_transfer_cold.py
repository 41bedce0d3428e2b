"""Cold transfers through the emulator: the caller goes to the head of another department's
line (or straight to one agent), and the new agent's screen-pop shows who had them."""

from __future__ import annotations

from app.interactions.services import find_by_call_sid
from sim.testing import assert_heard
from tests.calls.conftest import hears, phrase, sign_in, talking
from tests.flows.conftest import NUMBER, NURUL


def test_cold_transfer_to_a_department_goes_to_the_head_of_its_line(floor, amy, bob):
    floor.set_state("bob", ["support"], "away")
    # Someone has been waiting in support for a while already.
    other = floor.emu.dial_in(NURUL, NUMBER)
    floor.wait_until(lambda: other.gathering, timeout=60)
    other.press("2")
    floor.wait_until(lambda: other.in_conference, timeout=60)
    floor.wait(3)
    call = talking(floor, amy)
    first = answer_on_record(floor, call.sid)
    response = amy.transfer(call, "cold", "department", "support")
    assert response.status_code == 201, response.get_json()
    transfer = response.get_json()
    assert transfer["state"] == "completed" and transfer["mode"] == "cold"
    floor.wait(2)
    assert amy.phone.call is None
    assert floor.agent_state("amy")["state"] == "wrap_up"
    assert_heard(call, "कृपया प्रतीक्षा करें, हम आपको")
    floor.wait_until(lambda: floor.store().call(call.sid)["state"] == "waiting", timeout=20)
    assert floor.store().waiting("support")[0] == call.sid  # ahead of Nurul
    assert call.in_conference and not call.ended
    floor.set_state("bob", ["support"], "available")
    floor.wait_until(lambda: bob.phone.is_ringing, timeout=10)
    offer = bob.events("offer")[-1]
    assert offer["call_sid"] == call.sid
    context = offer["context"]
    assert context["call"]["agent"] == "amy"
    assert "transferred" in [e["kind"] for e in context["call"]["events"]]
    assert context["transfer"]["from_agent"] == "amy"
    bob.phone.answer()
    floor.wait(1)
    assert hears(call, "client:bob")
    assert bob.get(f"/api/calls/{call.sid}").get_json()["agent"] == "bob"
    # The record keeps the caller's first answer and wait; Bob has the call now.
    after = answer_on_record(floor, call.sid)
    assert after[:2] == first[:2] and first[1] < 10
    assert (first[2], after[2]) == ("amy", "bob")
    with floor.app.app_context():
        kinds = [e.kind for e in find_by_call_sid(call.sid).events]
    assert kinds.count("answered") == 2


def answer_on_record(floor, call_sid: str) -> tuple:
    with floor.app.app_context():
        row = find_by_call_sid(call_sid)
        return row.answered_at, row.wait_seconds, row.agent_identity


def test_cold_transfer_straight_to_an_agent(floor, amy, bob):
    call = talking(floor, amy)
    response = amy.transfer(call, "cold", "agent", "bob")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["to_agent"] == "bob"
    floor.wait(1)
    assert floor.agent_state("bob")["state"] == "ringing"
    floor.wait_until(lambda: bob.phone.is_ringing, timeout=20)
    assert_heard(call, phrase("calls.transferring_agent"))
    context = bob.events("offer")[-1]["context"]
    assert context["transfer"]["from_agent"] == "amy" and context["call"]["agent"] == "amy"
    bob.phone.answer()
    floor.wait(1)
    assert hears(call, "client:bob") and not call.ended
    assert floor.agent_state("bob")["state"] == "on_call"


def test_cold_transfer_to_an_agent_who_misses_it_keeps_the_caller_in_line(floor, amy, bob):
    bob.phone.answer_after = None
    carol = sign_in(floor, "carol", ["billing"], state="away")
    call = talking(floor, amy)
    amy.transfer(call, "cold", "agent", "bob")
    floor.wait_until(lambda: bob.phone.is_ringing, timeout=20)
    floor.wait_until(lambda: not bob.phone.is_ringing, timeout=40)
    floor.wait(1)
    assert floor.store().call(call.sid)["state"] == "waiting"
    floor.set_state("carol", ["billing"], "available")
    floor.wait_until(lambda: carol.phone.is_ringing, timeout=10)
    carol.phone.answer()
    floor.wait(1)
    assert hears(call, "client:carol")


def test_cold_transfer_to_an_unavailable_agent_is_refused(floor, amy, bob):
    floor.set_state("bob", ["support"], "away")
    call = talking(floor, amy)
    response = amy.transfer(call, "cold", "agent", "bob")
    assert response.status_code == 409
    assert response.get_json()["error"]["id"] == "transfer_target_unavailable"
    floor.wait(1)
    assert hears(call, "client:amy")


def test_cold_transfer_to_a_department_nobody_is_signed_in_to_is_refused(floor, amy):
    call = talking(floor, amy)
    response = amy.transfer(call, "cold", "department", "sales")
    assert response.status_code == 409
    assert response.get_json()["error"]["id"] == "transfer_target_unavailable"
    floor.wait(1)
    assert hears(call, "client:amy") and amy.phone.call is not None
