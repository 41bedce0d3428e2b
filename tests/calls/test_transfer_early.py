"""A transfer asked for right after answering: the agent is talking to the caller, but
Twilio's callback saying their leg answered has not reached the app yet (it comes a moment
after the media connects). The app asks Twilio about the leg and goes ahead; the callback,
when it comes, changes nothing. Whole calls through the emulator, the callback held back."""

from __future__ import annotations

from datetime import UTC, datetime

from app.clock import timestamp
from app.interactions.services import find_by_call_sid
from sim.faults import faults
from sim.testing import assert_heard
from tests.calls.conftest import hears, phrase
from tests.calls.test_transfer_cold import answer_on_record
from tests.flows.conftest import ASHA, NUMBER
from tests.flows.test_queue_flows import interaction
from tests.flows.test_ring_failures import HoldBack


def hold_back_answer(floor, identity: str) -> HoldBack:
    """`identity`'s answered callbacks reach the app only on `release()`."""
    late = HoldBack(floor.emu.transport, lambda url, params: "/queue/agent-leg" in url
                    and f"agent={identity}" in url and params.get("CallStatus") == "in-progress")
    floor.emu.transport = late
    return late


def ringing(floor, agent):
    """Asha calls billing and `agent`'s softphone rings for her."""
    call = floor.emu.dial_in(ASHA, NUMBER)
    floor.wait_until(lambda: call.gathering, timeout=60)
    call.press("1")
    floor.wait_until(lambda: agent.phone.is_ringing, timeout=30)
    return call


def answered_unheard(floor, agent):
    """`agent` answers Asha; the app has not heard of it yet. -> (call, the held callback)."""
    late = hold_back_answer(floor, agent.identity)
    call = ringing(floor, agent)
    agent.phone.answer()
    floor.wait(1)
    assert hears(call, f"client:{agent.identity}")  # they are talking
    assert late.kept and floor.call_state(call.sid)["state"] == "offered"
    return call, late


def leg_fetches(floor, leg: str) -> list[dict]:
    return [e for e in floor.emu.events if e["type"] == "rest" and e["method"] == "GET"
            and e["path"].endswith(f"/Calls/{leg}.json")]


def utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def test_cold_transfer_right_after_answering_goes_through(floor, amy, bob):
    call, late = answered_unheard(floor, amy)
    since = float(floor.call_state(call.sid)["since"])
    leg = floor.call_state(call.sid)["agent_leg"]
    asked = timestamp()

    response = amy.transfer(call, "cold", "agent", "bob")

    assert response.status_code == 201, response.get_json()
    assert response.get_json()["state"] == "completed"
    assert response.get_json()["to_agent"] == "bob"
    assert leg_fetches(floor, leg)  # the app asked Twilio about amy's leg
    # Amy's answer is on record as of the check: the caller's wait until then.
    row = interaction(floor, call.sid)
    assert abs(utc(row.answered_at).timestamp() - asked) < 0.5
    assert abs(row.wait_seconds - (asked - since)) <= 0.1 and row.agent_identity == "amy"
    assert not row.abandoned
    floor.wait_until(lambda: bob.phone.is_ringing, timeout=20)
    assert_heard(call, phrase("calls.transferring_agent"))
    assert amy.phone.call is None
    assert floor.agent_state("amy")["state"] == "wrap_up"  # she talked with the caller
    bob.phone.answer()
    floor.wait(1)
    assert hears(call, "client:bob") and not call.ended
    first = answer_on_record(floor, call.sid)

    late.release()  # amy's answered callback arrives at last
    floor.wait(1)

    assert hears(call, "client:bob") and not call.ended
    assert floor.call_state(call.sid)["state"] == "connected"
    assert floor.call_state(call.sid)["agent"] == "bob"
    assert floor.agent_state("bob")["state"] == "on_call"
    assert floor.agent_state("amy")["state"] == "wrap_up"
    assert answer_on_record(floor, call.sid) == (first[0], first[1], "bob")
    assert event_kinds(floor, call.sid).count("answered") == 2
    assert len([e for e in amy.events("answered") if e["call_sid"] == call.sid]) == 1


def event_kinds(floor, call_sid: str) -> list[str]:
    with floor.app.app_context():
        return [e.kind for e in find_by_call_sid(call_sid).events]


def test_cold_transfer_to_a_department_right_after_answering(floor, amy, bob):
    call, late = answered_unheard(floor, amy)

    response = amy.transfer(call, "cold", "department", "support")

    assert response.status_code == 201, response.get_json()
    floor.wait_until(lambda: bob.phone.is_ringing, timeout=20)
    assert_heard(call, "कृपया प्रतीक्षा करें, हम आपको")
    bob.phone.answer()
    floor.wait(1)
    late.release()
    floor.wait(1)
    assert hears(call, "client:bob") and not call.ended
    assert floor.call_state(call.sid)["agent"] == "bob"
    assert floor.agent_state("amy")["state"] == "wrap_up"


def test_warm_transfer_right_after_answering(floor, amy, bob):
    call, late = answered_unheard(floor, amy)

    response = amy.transfer(call, "warm", "agent", "bob")

    assert response.status_code == 201, response.get_json()
    assert response.get_json()["state"] == "target_ringing"
    floor.wait_until(lambda: bob.phone.is_ringing, timeout=5)
    bob.phone.answer()
    floor.wait(1)
    late.release()  # amy's answer arrives mid-consult: it changes nothing
    floor.wait(1)
    assert amy.get(f"/api/calls/{call.sid}/transfer").get_json()["state"] == "consulting"
    response = amy.post(f"/api/calls/{call.sid}/transfer/complete")
    assert response.status_code == 200, response.get_json()
    floor.wait(2)
    assert hears(call, "client:bob") and not hears(call, "client:amy")
    assert floor.agent_state("amy")["state"] == "wrap_up"


def test_a_call_still_ringing_is_not_transferred(floor, amy, bob):
    call = ringing(floor, amy)
    leg = floor.call_state(call.sid)["agent_leg"]

    response = amy.transfer(call, "cold", "agent", "bob")

    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["id"] == "call_not_live" and "not been answered yet" in error["message"]
    assert leg_fetches(floor, leg)
    # Nothing moved: amy still rings for Asha, bob was not taken, no transfer was recorded.
    assert amy.phone.is_ringing and floor.call_state(call.sid)["state"] == "offered"
    assert floor.agent_state("bob")["state"] == "available"
    assert amy.get(f"/api/calls/{call.sid}/transfer").status_code == 404
    amy.phone.answer()
    floor.wait(1)
    assert hears(call, "client:amy")
    assert floor.call_state(call.sid)["state"] == "connected"


def test_twilio_not_answering_the_check_asks_the_agent_to_try_again(floor, amy, bob):
    call, late = answered_unheard(floor, amy)
    faults(floor.emu).add("calls.fetch", status=404)

    response = amy.transfer(call, "cold", "agent", "bob")

    assert response.status_code == 502
    assert response.get_json()["error"]["id"] == "telephony_failed"
    assert hears(call, "client:amy") and floor.agent_state("bob")["state"] == "available"
    response = amy.transfer(call, "cold", "agent", "bob")  # again: Twilio answers now
    assert response.status_code == 201, response.get_json()
    late.release()


# The other buttons that need a connected call have the same moment to get through.


def test_hold_right_after_answering(floor, amy):
    call, late = answered_unheard(floor, amy)

    response = amy.post(f"/api/calls/{call.sid}/hold")

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["state"] == "held"
    floor.wait(10)
    assert_heard(call, phrase("calls.hold_apology"))
    assert not hears(call, "client:amy")
    late.release()
    floor.wait(1)
    assert amy.get(f"/api/calls/{call.sid}").get_json()["state"] == "held"
    response = amy.post(f"/api/calls/{call.sid}/resume")
    assert response.status_code == 200 and response.get_json()["state"] == "talking"
    floor.wait(1)
    assert hears(call, "client:amy")


def test_hang_up_right_after_answering(floor, amy):
    call, late = answered_unheard(floor, amy)

    response = amy.post(f"/api/calls/{call.sid}/hangup")

    assert response.status_code == 200, response.get_json()
    floor.wait(2)
    assert amy.phone.call is None
    assert floor.agent_state("amy")["state"] == "wrap_up"  # she answered: wrap-up, not away
    late.release()
    floor.wait_until(lambda: call.ended, timeout=60)
    row = interaction(floor, call.sid)
    assert row.answered_at is not None and row.agent_identity == "amy" and not row.abandoned
