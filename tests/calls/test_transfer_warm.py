"""Warm transfers through the emulator: the caller is held in their own room while the
target is rung in; every way it can end leaves the caller with somebody."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.interactions.models import Interaction, InteractionEvent
from sim.testing import assert_heard
from tests.calls.conftest import hears, phrase, talking


def consulting(floor, amy, bob):
    call = talking(floor, amy)
    response = amy.transfer(call, "warm", "agent", "bob")
    assert response.status_code == 201, response.get_json()
    floor.wait_until(lambda: bob.phone.is_ringing, timeout=5)
    bob.phone.answer()
    floor.wait(1)
    assert amy.get(f"/api/calls/{call.sid}/transfer").get_json()["state"] == "consulting"
    return call


def test_warm_transfer_happy_path(floor, amy, bob):
    call = talking(floor, amy)
    response = amy.transfer(call, "warm", "agent", "bob")
    assert response.status_code == 201, response.get_json()
    transfer = response.get_json()
    assert transfer["state"] == "target_ringing" and transfer["to_agent"] == "bob"
    assert transfer["from_agent"] == "amy" and transfer["mode"] == "warm"
    floor.wait(1)
    assert bob.phone.is_ringing
    offer = bob.events("transfer.offer")[0]
    assert offer["context"]["customer"]["name"] == "Asha"
    # The caller is on hold, told why, in Hindi.
    assert_heard(call, phrase("calls.transfer_hold"))
    view = amy.get(f"/api/calls/{call.sid}").get_json()
    assert view["state"] == "transferring" and view["participants"][0]["held"] is True
    bob.phone.answer()
    floor.wait(1)
    assert amy.get(f"/api/calls/{call.sid}/transfer").get_json()["state"] == "consulting"
    # Agents talk; the held caller does not hear them.
    amy.phone.say("Bob, Asha needs a refund on her last invoice")
    assert bob.phone.has_heard("refund on her last invoice")
    assert not call.has_heard("refund on her last invoice")
    response = amy.post(f"/api/calls/{call.sid}/transfer/complete")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["state"] == "completed"
    floor.wait(2)
    assert hears(call, "client:bob") and not hears(call, "client:amy")
    bob.phone.say("Hello Asha, I can help with the refund")
    assert call.has_heard("I can help with the refund")
    assert not call.ended
    assert floor.agent_state("amy")["state"] == "wrap_up"
    assert floor.agent_state("bob")["state"] == "on_call"
    assert floor.call_state(call.sid)["agent"] == "bob"
    assert any(e["type"] == "hold.resumed" for e in bob.events())
    assert {e["type"] for e in amy.events()} >= {"transfer.target_ringing",
                                                 "transfer.consulting", "transfer.completed"}
    with floor.app.app_context():
        row = db.session.scalars(select(Interaction).where(Interaction.call_sid == call.sid)).one()
        assert row.agent_identity == "bob"
        kinds = [e.kind for e in db.session.scalars(select(InteractionEvent).where(
            InteractionEvent.interaction_id == row.id))]
    assert "transferred" in kinds
    # Bob ends the call: the caller is not left in a silent room; Bob wraps up.
    bob.phone.hangup()
    floor.wait_until(lambda: call.ended or call.gathering, timeout=30)
    floor.wait(1)
    assert floor.agent_state("bob")["state"] == "wrap_up"


def failed_back_to_amy(floor, amy, call, reason: str) -> None:
    floor.wait(1)
    transfer = amy.get(f"/api/calls/{call.sid}/transfer").get_json()
    assert transfer["state"] == "failed" and transfer["reason"] == reason, transfer
    failed = amy.events("transfer.failed")
    assert failed and failed[-1]["transfer"]["reason"] == reason
    assert hears(call, "client:amy"), call.transcript()
    view = amy.get(f"/api/calls/{call.sid}").get_json()
    assert view["state"] == "talking" and view["transfer"] is None
    assert floor.agent_state("amy")["state"] == "on_call"
    amy.phone.say("Sorry, my colleague is not free")
    assert call.has_heard("my colleague is not free")


def test_target_does_not_answer(floor, amy, bob):
    bob.phone.answer_after = None
    call = talking(floor, amy)
    amy.transfer(call, "warm", "agent", "bob")
    floor.wait_until(lambda: not bob.phone.is_ringing, timeout=40)
    failed_back_to_amy(floor, amy, call, "no_answer")
    assert floor.agent_state("bob")["state"] == "away"


def test_target_rejects(floor, amy, bob):
    call = talking(floor, amy)
    amy.transfer(call, "warm", "agent", "bob")
    floor.wait(1)
    bob.phone.reject()
    failed_back_to_amy(floor, amy, call, "rejected")
    assert floor.agent_state("bob")["state"] == "available"


def test_target_hangs_up_during_consult(floor, amy, bob):
    call = consulting(floor, amy, bob)
    bob.phone.hangup()
    failed_back_to_amy(floor, amy, call, "target_hung_up")
    assert floor.agent_state("bob")["state"] == "available"


def test_cancel_while_ringing(floor, amy, bob):
    call = talking(floor, amy)
    amy.transfer(call, "warm", "agent", "bob")
    floor.wait(1)
    assert bob.phone.is_ringing
    response = amy.post(f"/api/calls/{call.sid}/transfer/cancel")
    assert response.status_code == 200 and response.get_json()["state"] == "cancelled"
    floor.wait(1)
    assert not bob.phone.is_ringing
    assert floor.agent_state("bob")["state"] == "available"
    assert hears(call, "client:amy")
    # Nothing is left to cancel or complete.
    assert amy.post(f"/api/calls/{call.sid}/transfer/cancel").status_code == 404


def test_cancel_during_consult(floor, amy, bob):
    call = consulting(floor, amy, bob)
    response = amy.post(f"/api/calls/{call.sid}/transfer/cancel")
    assert response.get_json()["state"] == "cancelled"
    floor.wait(1)
    assert hears(call, "client:amy") and not hears(call, "client:bob")
    assert floor.agent_state("bob")["state"] == "available"
    assert not call.ended


def test_complete_is_refused_before_the_target_joined(floor, amy, bob):
    bob.phone.answer_after = None
    call = talking(floor, amy)
    amy.transfer(call, "warm", "agent", "bob")
    floor.wait(1)
    response = amy.post(f"/api/calls/{call.sid}/transfer/complete")
    assert response.status_code == 409
    assert response.get_json()["error"]["id"] == "transfer_target_not_joined"
    assert amy.get(f"/api/calls/{call.sid}/transfer").get_json()["state"] == "target_ringing"


def test_three_way_then_the_original_leaves(floor, amy, bob):
    call = consulting(floor, amy, bob)
    response = amy.post(f"/api/calls/{call.sid}/transfer/three-way")
    assert response.get_json()["state"] == "three_way"
    floor.wait(1)
    assert hears(call, "client:amy") and hears(call, "client:bob")
    amy.phone.say("Asha, Bob will take care of your refund")
    assert call.has_heard("Bob will take care of your refund")
    assert amy.post(f"/api/calls/{call.sid}/transfer/complete").get_json()["state"] == "completed"
    floor.wait(1)
    assert hears(call, "client:bob") and not hears(call, "client:amy")
    assert floor.agent_state("amy")["state"] == "wrap_up"
    assert not call.ended


def test_original_agent_hangs_up_after_the_target_joined(floor, amy, bob):
    call = consulting(floor, amy, bob)
    amy.phone.hangup()
    floor.wait(1)
    transfer = bob.get(f"/api/calls/{call.sid}/transfer").get_json()
    assert transfer["state"] == "completed" and transfer["reason"] == "original_agent_left"
    assert hears(call, "client:bob") and not call.ended
    assert floor.call_state(call.sid)["agent"] == "bob"
    assert floor.agent_state("amy")["state"] == "wrap_up"
    assert any(e["type"] == "call.ended" for e in amy.events())


def test_original_agent_hangs_up_before_the_target_joined(floor, amy, bob):
    from tests.calls.conftest import sign_in

    bob.phone.answer_after = None
    carol = sign_in(floor, "carol", ["billing"], state="away")
    call = talking(floor, amy)
    amy.transfer(call, "warm", "agent", "bob")
    floor.wait(1)
    amy.phone.hangup()
    floor.wait(2)
    # Told why, the caller waits again in their room, first in line.
    floor.wait_until(lambda: floor.store().call(call.sid)["state"] == "waiting", timeout=20)
    assert floor.store().waiting("billing")[0] == call.sid
    assert_heard(call, phrase("calls.back_in_line"))
    assert not bob.phone.is_ringing
    assert floor.agent_state("bob")["state"] == "available"
    assert not call.ended
    # The next free agent of the department gets the caller.
    floor.set_state("carol", ["billing"], "available")
    floor.wait_until(lambda: carol.phone.is_ringing, timeout=10)
    carol.phone.answer()
    floor.wait(1)
    assert hears(call, "client:carol")


def test_caller_hangs_up_during_consult(floor, amy, bob):
    call = consulting(floor, amy, bob)
    call.hangup()
    floor.wait(2)
    with floor.app.app_context():
        from app.calls import call_controls, transfers

        transfer = transfers.latest(call_controls(), call.sid)
    assert transfer.state == "failed" and transfer.get("reason") == "caller_hung_up"
    assert floor.agent_state("amy")["state"] == "wrap_up"
    assert floor.agent_state("bob")["state"] == "available"
    assert bob.phone.call is None and amy.phone.call is None


def test_two_transfers_at_once_one_wins(floor, amy, bob):
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from tests.calls.conftest import sign_in

    sign_in(floor, "dan", ["support"])
    call = talking(floor, amy)
    barrier = Barrier(2)
    client = floor.app.test_client

    def start(target: str):
        barrier.wait()
        return client().post(f"/api/calls/{call.sid}/transfers",
                             json={"mode": "warm", "target": {"kind": "agent", "id": target}},
                             headers={"Authorization": f"Bearer {amy.token}"})

    with ThreadPoolExecutor(2) as pool:
        responses = list(pool.map(start, ["bob", "dan"]))
    floor.emu.settle()
    codes = sorted(r.status_code for r in responses)
    assert codes == [201, 409], [r.get_json() for r in responses]
    loser = next(r for r in responses if r.status_code == 409)
    assert loser.get_json()["error"]["id"] == "transfer_in_progress"
    floor.wait(1)
    ringing = [p for p in (bob.phone, floor.emu.softphone("dan")) if p.is_ringing]
    assert len(ringing) == 1


def test_transfer_to_a_department_rings_its_longest_idle_agent(floor, amy, bob):
    call = talking(floor, amy)
    response = amy.transfer(call, "warm", "department", "support")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["to_agent"] == "bob"
    floor.wait(1)
    assert bob.phone.is_ringing


def test_transfer_to_any_supervisor(floor, amy):
    from tests.calls.conftest import sign_in

    sue = sign_in(floor, "sue", [], role="supervisor")
    call = talking(floor, amy)
    response = amy.transfer(call, "warm", "supervisor")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["to_agent"] == "sue"
    floor.wait(1)
    sue.phone.answer()
    floor.wait(1)
    assert amy.post(f"/api/calls/{call.sid}/transfer/complete").get_json()["state"] == "completed"


def test_nobody_free_to_take_a_warm_transfer(floor, amy, bob):
    floor.set_state("bob", ["support"], "away")
    call = talking(floor, amy)
    response = amy.transfer(call, "warm", "department", "support")
    assert response.status_code == 409
    assert response.get_json()["error"]["id"] == "transfer_target_unavailable"
    floor.wait(1)
    assert hears(call, "client:amy")
    # A failed start leaves nothing in the way of the next one.
    floor.set_state("bob", ["support"], "available")
    assert amy.transfer(call, "warm", "agent", "bob").status_code == 201


def test_a_consult_that_reaches_the_hold_limit_brings_the_caller_in(floor, amy, bob):
    call = consulting(floor, amy, bob)
    floor.wait_until(lambda: amy.events("hold.limit"), timeout=60)
    assert [w["after_seconds"] for w in amy.events("hold.warning")] == [30, 45]
    floor.wait(1)
    transfer = amy.get(f"/api/calls/{call.sid}/transfer").get_json()
    assert transfer["state"] == "three_way" and transfer["reason"] == "hold_limit"
    assert hears(call, "client:amy") and hears(call, "client:bob")
    floor.wait(8)
    assert_heard(call, phrase("calls.hold_limit_apology"))
    assert amy.post(f"/api/calls/{call.sid}/transfer/complete").get_json()["state"] == "completed"


def test_a_transfer_of_a_held_caller_keeps_their_hold_clock(floor, amy, bob):
    call = talking(floor, amy)
    amy.post(f"/api/calls/{call.sid}/hold")
    floor.wait(20)
    assert amy.transfer(call, "warm", "agent", "bob").status_code == 201
    floor.wait(1)
    bob.phone.answer()
    # 30 s after the hold began, not after the transfer did.
    floor.wait_until(lambda: amy.events("hold.warning"), timeout=15)
    assert amy.events("hold.warning")[0]["after_seconds"] == 30
    assert amy.post(f"/api/calls/{call.sid}/transfer/complete").get_json()["state"] == "completed"
    floor.wait(1)
    assert hears(call, "client:bob")
    assert bob.events("hold.resumed")[-1]["remind"] == "apologise and explain"


def test_twilio_refusing_to_unhold_at_completion_still_reconnects_by_the_hold_limit(floor, amy,
                                                                                     bob):
    from sim.faults import faults

    call = consulting(floor, amy, bob)
    faults(floor.emu).add("participants.update", status=503)  # the unhold is refused
    response = amy.post(f"/api/calls/{call.sid}/transfer/complete")
    assert response.get_json()["state"] == "completed"
    floor.wait(1)
    assert not hears(call, "client:bob")  # still held: Twilio said no
    # The hold clock still runs for the caller, now warning Bob, and rescues them in time.
    floor.wait_until(lambda: bob.events("hold.limit"), timeout=60)
    floor.wait(1)
    assert hears(call, "client:bob") and not call.ended
    floor.wait(8)
    assert_heard(call, phrase("calls.hold_limit_apology"))


def test_a_target_that_cannot_be_rung_fails_back_at_once(floor, amy, bob):
    from sim.faults import faults

    call = talking(floor, amy)
    faults(floor.emu).add("participants.create", status=503)
    response = amy.transfer(call, "warm", "agent", "bob")
    assert response.status_code == 409
    assert response.get_json()["error"]["id"] == "transfer_target_unavailable"
    floor.wait(1)
    assert hears(call, "client:amy")
    assert floor.agent_state("bob")["state"] == "available"
    transfer = amy.get(f"/api/calls/{call.sid}/transfer").get_json()
    assert transfer["state"] == "failed" and transfer["reason"] == "target_unreachable"
    # Amy's leaving ends the room again, as before the transfer.
    amy.phone.hangup()
    floor.wait_until(lambda: call.ended or call.gathering, timeout=30)


def test_target_hangs_up_in_a_three_way_call(floor, amy, bob):
    call = consulting(floor, amy, bob)
    amy.post(f"/api/calls/{call.sid}/transfer/three-way")
    floor.wait(1)
    bob.phone.hangup()
    failed_back_to_amy(floor, amy, call, "target_hung_up")
    assert floor.agent_state("bob")["state"] == "wrap_up"  # Bob spoke with the customer
    # Nothing blocks the agent's next move.
    assert amy.post(f"/api/calls/{call.sid}/hold").get_json()["state"] == "held"


def test_caller_hangs_up_during_consult_and_the_agents_news_comes_first(floor, amy, bob):
    """The caller's hang-up ends the room; amy's `participant-leave`
    (`moderator_ended_conference`) may reach the app before any news of the caller (Twilio
    does not order them). It is not amy handing the caller over: the transfer failed."""
    from tests.flows.test_ring_failures import HoldBack

    floor.emu.set_chaos(None)  # this order exactly
    call = consulting(floor, amy, bob)
    late = HoldBack(floor.emu.transport, lambda url, params: (
        params.get("CallSid") == call.sid and "/queue/agent-leg" not in url)
        or params.get("StatusCallbackEvent") == "conference-end")
    floor.emu.transport = late
    call.hangup()
    floor.wait(2)
    late.release()
    floor.wait(2)
    with floor.app.app_context():
        from app.calls import call_controls, transfers

        transfer = transfers.latest(call_controls(), call.sid)
    assert transfer.state == "failed" and transfer.get("reason") == "caller_hung_up"
    assert floor.agent_state("bob")["state"] == "available"
    assert bob.phone.call is None and amy.phone.call is None
