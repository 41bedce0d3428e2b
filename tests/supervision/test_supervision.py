"""Supervisors through the emulator: the live calls, reassigning a waiting caller, taking back
a ringing offer, listening, whispering and barging in; every action in the audit log."""

from __future__ import annotations

import time

import pytest

from app.floor.models import Department
from app.interactions.models import Interaction
from app.supervision.models import SupervisorAction
from sim.testing import assert_not_heard
from tests.flows.conftest import NURUL


def supervisor(floor):
    """Sue, a supervisor, signed in with her softphone (away: she takes no queue calls)."""
    return floor.agent("sue", ["billing"], role="supervisor", state="away")


def spoken_to(party, call_sid=None) -> list[tuple[str, str]]:
    """(who, words) of everything `party` heard people say."""
    return [(h.detail.get("from", ""), h.text or "") for h in party.heard
            if h.kind == "speech" and (call_sid is None or h.call_sid == call_sid)]


def audit(floor, **where) -> list[SupervisorAction]:
    return floor.rows(SupervisorAction, *[getattr(SupervisorAction, k) == v
                                          for k, v in where.items()])


# -- the live calls --------------------------------------------------------------------------

def test_the_live_calls_show_every_caller_waiting_ringing_and_talking(floor):
    supervisor(floor)
    amy = floor.agent("amy", ["billing"])
    talking = floor.answered_call(amy)
    floor.agent("busy_bee", ["support"], state="away")
    waiting = floor.call_in(NURUL, key="2")
    floor.wait(21)
    response = floor.api("GET", "/api/supervisor/calls", "sue")
    assert response.status_code == 200, response.get_json()
    calls = {c["call_sid"]: c for c in response.get_json()["calls"]}
    assert set(calls) == {talking.sid, waiting.sid}
    one, two = calls[talking.sid], calls[waiting.sid]
    assert (one["state"], one["agent"]) == ("talking", "amy")
    assert one["department"]["slug"] == "billing"
    assert one["customer"]["name"] == "Asha"
    assert one["hold"]["warn_at"] == [30, 45]
    assert (two["state"], two["queue"], two["position"]) == ("waiting", "support", 1)
    assert two["customer"]["name"] == "Nurul Aisyah"
    waited = time.time() - float(floor.call_state(waiting.sid)["since"])
    assert two["wait_seconds"] == pytest.approx(waited, abs=0.2) and waited > 21
    assert [s["action"] for s in two["steps_fired"]] == ["announce", "raise_priority",
                                                         "any_language"]
    # Agents do not see the floor.
    assert floor.api("GET", "/api/supervisor/calls", "amy").status_code == 403


# -- reassign ----------------------------------------------------------------------------------

def test_reassign_a_waiting_caller_to_another_queue(floor):
    supervisor(floor)
    floor.agent("busy_bee", ["billing"], state="away")
    sam = floor.agent("sam", ["support"])
    call = floor.call_in()
    floor.wait(5)
    assert not sam.is_ringing
    response = floor.api("POST", f"/api/supervisor/calls/{call.sid}/reassign", "sue",
                         json={"department": "support"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["department"]["slug"] == "support" and body["state"] == "ringing"
    assert body["agent"] == "sam"
    assert sam.is_ringing
    sam.answer()
    floor.wait(1)
    assert floor.call_state(call.sid)["state"] == "connected"
    with floor.app.app_context():
        from app.extensions import db

        row = floor.interaction(call.sid)
        support = db.session.query(Department).filter_by(slug="support").one()
        assert row.department_id == support.id and row.agent_identity == "sam"
    # The move is in the call's history (and on the floor's event stream).
    assert [e.detail for e in row.events if e.kind == "supervisor_reassign"] == [
        {"supervisor": "sue", "to_department": "support", "from_department": "billing"}]
    [entry] = audit(floor, action="reassign")
    assert entry.supervisor == "sue" and entry.call_sid == call.sid
    assert entry.details == {"to_department": "support", "from_department": "billing"}


def test_reassign_a_waiting_caller_to_a_named_available_agent(floor):
    supervisor(floor)
    floor.agent("busy_bee", ["billing"], state="away")
    bob = floor.agent("bob", ["sales"])  # not even in billing: the supervisor's choice
    call = floor.call_in()
    floor.wait(3)
    response = floor.api("POST", f"/api/supervisor/calls/{call.sid}/reassign", "sue",
                         json={"agent": "bob"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["state"] == "ringing"
    assert bob.is_ringing and floor.agent_state("bob")["state"] == "ringing"
    bob.answer()
    floor.wait(1)
    assert floor.call_state(call.sid)["state"] == "connected"
    assert floor.interaction(call.sid).agent_identity == "bob"
    assert audit(floor, action="reassign")[0].details["to_agent"] == "bob"


def test_reassign_to_an_agent_who_is_not_available_is_refused(floor):
    supervisor(floor)
    floor.agent("busy_bee", ["billing"], state="away")
    call = floor.call_in()
    response = floor.api("POST", f"/api/supervisor/calls/{call.sid}/reassign", "sue",
                         json={"agent": "busy_bee"})
    assert response.status_code == 409
    assert response.get_json()["error"]["id"] == "agent_not_available"
    assert response.get_json()["error"]["details"]["state"] == "away"
    assert floor.store().waiting("billing") == [call.sid]
    assert audit(floor) == []


def test_reassign_of_a_caller_who_has_just_hung_up_is_refused_cleanly(floor):
    supervisor(floor)
    floor.agent("busy_bee", ["billing"], state="away")
    bob = floor.agent("bob", ["sales"])
    call = floor.call_in()
    call.hangup()
    for body in ({"agent": "bob"}, {"department": "sales"}):
        response = floor.api("POST", f"/api/supervisor/calls/{call.sid}/reassign", "sue",
                             json=body)
        assert response.status_code == 409, response.get_json()
        assert response.get_json()["error"]["id"] == "caller_gone"
    assert not bob.is_ringing and floor.agent_state("bob")["state"] == "available"
    assert floor.store().waiting("sales") == [] and floor.store().waiting("billing") == []
    assert audit(floor) == []


def test_a_caller_hanging_up_at_the_instant_of_reassignment_frees_the_agent(floor):
    """The caller hangs up between the reservation and the ring: the ring fails, and nobody
    is left reserved, ringing or away."""
    supervisor(floor)
    floor.agent("busy_bee", ["billing"], state="away")
    bob = floor.agent("bob", ["sales"])
    call = floor.call_in()
    floor.wait(2)
    gateway = floor.app.extensions["twilio_gateway"]
    real = gateway.add_agent_to_conference

    def caller_hangs_up_first(*args, **kwargs):
        call.hangup()  # the conference ends; the queue hears the caller leave
        return real(*args, **kwargs)

    gateway.add_agent_to_conference = caller_hangs_up_first
    try:
        response = floor.api("POST", f"/api/supervisor/calls/{call.sid}/reassign", "sue",
                             json={"agent": "bob"})
    finally:
        gateway.add_agent_to_conference = real
    floor.wait(2)
    assert response.status_code == 200  # reserved before the hang-up; the call has ended since
    assert call.ended and not bob.is_ringing
    assert floor.agent_state("bob")["state"] == "available"
    assert floor.call_state(call.sid)["state"] == "ended"
    assert floor.interaction(call.sid).abandoned is True


def test_a_reassigned_caller_who_hangs_up_while_the_agent_rings_frees_the_agent(floor):
    supervisor(floor)
    floor.agent("busy_bee", ["billing"], state="away")
    bob = floor.agent("bob", ["sales"])
    call = floor.call_in()
    floor.api("POST", f"/api/supervisor/calls/{call.sid}/reassign", "sue", json={"agent": "bob"})
    assert bob.is_ringing
    call.hangup()
    floor.wait(2)
    assert not bob.is_ringing and floor.agent_state("bob")["state"] == "available"


# -- take back ---------------------------------------------------------------------------------

def test_take_back_a_ringing_offer_and_give_it_to_another_agent(floor):
    supervisor(floor)
    amy = floor.agent("amy", ["billing"])
    bob = floor.agent("bob", ["billing"], state="away")
    call = floor.call_in()
    floor.wait_until(lambda: amy.is_ringing, timeout=10)
    floor.set_state("bob", ["billing"], "available")
    response = floor.api("POST", f"/api/supervisor/calls/{call.sid}/take-back", "sue",
                         json={"agent": "bob"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["agent"] == "bob"
    floor.wait(1)
    assert not amy.is_ringing and bob.is_ringing
    assert floor.agent_state("amy")["state"] == "available"  # freed, not "missed call"
    bob.answer()
    floor.wait(2)
    assert floor.call_state(call.sid)["state"] == "connected"
    assert floor.call_state(call.sid)["agent"] == "bob"
    assert floor.agent_state("amy")["state"] == "available"
    [entry] = audit(floor, action="take_back")
    assert entry.details == {"from_agent": "amy", "to_agent": "bob"}


def test_take_back_to_the_queue_frees_the_agent_and_the_next_free_agent_rings(floor):
    supervisor(floor)
    amy = floor.agent("amy", ["billing"])
    call = floor.call_in()
    floor.wait_until(lambda: amy.is_ringing, timeout=10)
    bob = floor.agent("bob", ["billing"])  # free now, but the caller was already offered
    floor.wait(1)
    assert not bob.is_ringing
    response = floor.api("POST", f"/api/supervisor/calls/{call.sid}/take-back", "sue", json={})
    assert response.status_code == 200, response.get_json()
    floor.wait(2)
    # Amy is freed (and now the least idle), so bob, idle longest, gets the caller; amy's old
    # leg's late "canceled" neither sends the caller back nor marks her away.
    assert not amy.is_ringing and bob.is_ringing
    assert floor.call_state(call.sid)["agent"] == "bob"
    assert floor.agent_state("amy")["state"] == "available"
    bob.answer()
    floor.wait(1)
    assert floor.call_state(call.sid)["state"] == "connected"
    [entry] = audit(floor, action="take_back")
    assert entry.details == {"from_agent": "amy", "to_agent": None}


def test_take_back_puts_the_caller_ahead_of_everyone_waiting(floor):
    supervisor(floor)
    amy = floor.agent("amy", ["billing"])
    first = floor.call_in()
    floor.wait_until(lambda: amy.is_ringing, timeout=10)
    second = floor.call_in(NURUL, key="1")  # a VIP: priority over ordinary callers
    floor.wait(1)
    assert floor.store().waiting("billing") == [second.sid]
    floor.api("POST", f"/api/supervisor/calls/{first.sid}/take-back", "sue", json={})
    floor.wait(1)
    # Amy, freed and the only one free, is offered the head of the line: the caller taken
    # back, not the VIP who was waiting.
    assert floor.call_state(first.sid)["state"] == "offered"
    assert floor.call_state(first.sid)["agent"] == "amy"
    assert floor.store().waiting("billing") == [second.sid]
    assert amy.is_ringing


def test_take_back_of_a_caller_who_has_just_hung_up_is_refused_cleanly(floor):
    # The app has heard of the hang-up at once: this order exactly (under chaos the news may
    # still be on its way, and the refusal is then call_state_conflict).
    floor.emu.set_chaos(None)
    supervisor(floor)
    amy = floor.agent("amy", ["billing"])
    call = floor.call_in()
    floor.wait_until(lambda: amy.is_ringing, timeout=10)
    call.hangup()
    response = floor.api("POST", f"/api/supervisor/calls/{call.sid}/take-back", "sue", json={})
    assert response.status_code == 409
    assert response.get_json()["error"]["id"] == "caller_gone"
    floor.wait(1)
    assert not amy.is_ringing and floor.agent_state("amy")["state"] == "available"
    assert audit(floor) == []


def test_a_caller_in_the_offer_menu_keeps_the_new_queue_when_they_keep_waiting(floor):
    supervisor(floor)
    floor.agent("busy_bee", ["billing"], state="away")
    call = floor.call_in()
    floor.wait_until(lambda: call.gathering, timeout=58)  # the 45 s offer
    response = floor.api("POST", f"/api/supervisor/calls/{call.sid}/reassign", "sue",
                         json={"department": "support"})
    assert response.status_code == 200, response.get_json()
    # Still at the offer menu, in every audience's words (issue 15: it was "waiting" here).
    assert response.get_json()["state"] == "choosing"
    assert response.get_json()["queue"] == "support"
    sam = floor.agent("sam", ["support"])
    call.press("1")  # keep waiting
    floor.wait_until(lambda: sam.is_ringing, timeout=10)
    assert floor.call_state(call.sid)["department"] == "support"


def test_only_a_ringing_offer_can_be_taken_back(floor):
    supervisor(floor)
    amy = floor.agent("amy", ["billing"])
    call = floor.answered_call(amy)
    response = floor.api("POST", f"/api/supervisor/calls/{call.sid}/take-back", "sue", json={})
    assert response.status_code == 409
    assert response.get_json()["error"]["details"]["state"] == "talking"
    assert floor.call_state(call.sid)["state"] == "connected"


# -- listen, whisper, barge --------------------------------------------------------------------

@pytest.fixture
def monitored(floor):
    """Asha talking to amy; sue's softphone listening in (answered)."""
    sue = supervisor(floor)
    amy = floor.agent("amy", ["billing"])
    call = floor.answered_call(amy)
    response = floor.api("POST", f"/api/supervisor/calls/{call.sid}/monitor", "sue",
                         json={"mode": "listen"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"call_sid": call.sid, "mode": "listen", "supervisor": "sue"}
    floor.wait_until(lambda: sue.is_ringing, timeout=5)
    sue.answer()
    floor.wait(1)
    return floor, call, amy, sue


def test_listen_the_supervisor_hears_both_and_nobody_hears_her(monitored):
    floor, call, amy, sue = monitored
    call.say("My refund has not arrived")
    amy.say("Let me check that for you")
    sue.say("testing one two")
    floor.wait(1)
    assert ("+919876543210", "My refund has not arrived") in spoken_to(sue)
    assert ("client:amy", "Let me check that for you") in spoken_to(sue)
    assert_not_heard(call, "testing one two")
    assert not amy.has_heard("testing one two")
    [entry] = audit(floor, action="monitor")
    assert entry.details["mode"] == "listen" and entry.details["agent"] == "amy"
    [item] = floor.api("GET", "/api/supervisor/calls", "sue").get_json()["calls"]
    assert {"role": "supervisor", "identity": "sue", "mode": "listen"}.items() <= \
        item["participants"][-1].items()


def test_whisper_is_heard_by_the_agent_and_not_by_the_caller(monitored):
    floor, call, amy, sue = monitored
    response = floor.api("POST", f"/api/supervisor/calls/{call.sid}/monitor", "sue",
                         json={"mode": "whisper"})
    assert response.status_code == 200, response.get_json()
    floor.wait(1)
    sue.say("Offer the goodwill credit")
    call.say("Is anyone there?")
    floor.wait(1)
    assert ("client:sue", "Offer the goodwill credit") in spoken_to(amy)
    assert_not_heard(call, "Offer the goodwill credit")
    assert ("+919876543210", "Is anyone there?") in spoken_to(sue)
    assert [e.details["mode"] for e in audit(floor, action="monitor")] == ["listen", "whisper"]


def test_a_whisper_follows_the_call_to_the_agent_a_warm_transfer_hands_it_to(monitored):
    floor, call, amy, sue = monitored
    floor.api("POST", f"/api/supervisor/calls/{call.sid}/monitor", "sue", json={"mode": "whisper"})
    bob = floor.agent("bob", ["billing"])
    response = floor.api("POST", f"/api/calls/{call.sid}/transfers", "amy",
                         json={"mode": "warm", "target": {"kind": "agent", "id": "bob"}})
    assert response.status_code == 201, response.get_json()
    floor.wait_until(lambda: bob.is_ringing, timeout=5)
    bob.answer()
    floor.wait(1)
    done = floor.api("POST", f"/api/calls/{call.sid}/transfer/complete", "amy", json={})
    assert done.status_code == 200, done.get_json()
    floor.wait(2)
    sue.say("Bob, check the refund ticket first")
    floor.wait(1)
    assert ("client:sue", "Bob, check the refund ticket first") in spoken_to(bob)
    assert_not_heard(call, "check the refund ticket")
    [item] = floor.api("GET", "/api/supervisor/calls", "sue").get_json()["calls"]
    assert item["agent"] == "bob" and item["monitor"]["mode"] == "whisper"


def test_barge_everyone_hears_the_supervisor(monitored):
    floor, call, amy, sue = monitored
    floor.api("POST", f"/api/supervisor/calls/{call.sid}/monitor", "sue", json={"mode": "barge"})
    floor.wait(1)
    sue.say("I am the duty manager, I can help")
    floor.wait(1)
    assert call.has_heard("I am the duty manager, I can help")
    assert amy.has_heard("I am the duty manager, I can help")


def test_leaving_the_call_keeps_the_caller_and_agent_talking(monitored):
    floor, call, amy, sue = monitored
    response = floor.api("DELETE", f"/api/supervisor/calls/{call.sid}/monitor", "sue")
    assert response.status_code == 200, response.get_json()
    floor.wait(2)
    assert sue.call is None
    assert not call.ended and floor.call_state(call.sid)["state"] == "connected"
    call.say("Thanks, that helps")
    floor.wait(1)
    assert ("+919876543210", "Thanks, that helps") in spoken_to(amy)
    assert [e.action for e in audit(floor)] == ["monitor", "monitor_end"]


def test_a_waiting_caller_cannot_be_monitored_and_modes_are_checked(floor):
    supervisor(floor)
    floor.agent("busy_bee", ["billing"], state="away")
    call = floor.call_in()
    response = floor.api("POST", f"/api/supervisor/calls/{call.sid}/monitor", "sue",
                         json={"mode": "listen"})
    assert response.status_code == 409
    bad = floor.api("POST", f"/api/supervisor/calls/{call.sid}/monitor", "sue",
                    json={"mode": "spy"})
    assert bad.status_code == 400 and bad.get_json()["error"]["id"] == "invalid_monitor_mode"


# -- the audit, and who may do any of this -----------------------------------------------------

def test_the_audit_lists_every_action_newest_first_in_the_api_and_the_cli(monitored):
    floor, call, amy, sue = monitored
    floor.api("POST", f"/api/supervisor/calls/{call.sid}/monitor", "sue", json={"mode": "barge"})
    floor.api("DELETE", f"/api/supervisor/calls/{call.sid}/monitor", "sue")
    response = floor.api("GET", "/api/supervisor/audit?limit=10", "sue")
    assert response.status_code == 200
    entries = response.get_json()
    assert [e["action"] for e in entries] == ["monitor_end", "monitor", "monitor"]
    assert all(e["supervisor"] == "sue" and e["call_sid"] == call.sid and e["at"]
               for e in entries)
    result = floor.app.test_cli_runner().invoke(args=["supervision", "audit", "--limit", "2"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 2 and "monitor_end" in lines[0] and call.sid in lines[0]


def test_agents_get_403_on_every_supervisor_action(floor):
    amy = floor.agent("amy", ["billing"])
    call = floor.answered_call(amy)
    for method, path, body in (
        ("GET", "/api/supervisor/calls", None),
        ("POST", f"/api/supervisor/calls/{call.sid}/reassign", {"department": "sales"}),
        ("POST", f"/api/supervisor/calls/{call.sid}/take-back", {}),
        ("POST", f"/api/supervisor/calls/{call.sid}/monitor", {"mode": "listen"}),
        ("DELETE", f"/api/supervisor/calls/{call.sid}/monitor", None),
        ("GET", "/api/supervisor/audit", None),
    ):
        response = floor.api(method, path, "amy", json=body)
        assert response.status_code == 403, (method, path)
        assert response.get_json()["error"]["id"] == "forbidden"
    assert floor.call_state(call.sid)["state"] == "connected"
    assert audit(floor) == []
    assert floor.rows(Interaction)[0].agent_identity == "amy"
