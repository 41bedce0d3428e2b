"""The app's REST requests against Twilio's own OpenAPI description of the 2010-04-01 API.

Every whole-call test is already a conformance test: the emulator checks each REST request
(`sim/openapi.py`) and `emulator_for` fails the test at teardown if one broke the description.
This module drives a representative set of whole calls and asserts, besides zero violations,
that the requests were really checked: each scenario's operations were seen, so the check
cannot pass because nothing reached it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.telephony.gateway import TelephonyError, gateway
from app.voicemail import jobs
from sim.emulator import Emulator
from tests.calls.conftest import talking
from tests.flows.conftest import ASHA, NUMBER, OPEN_HOURS, emulated_floor
from tests.voicemail.test_flows import JORDAN, call_back, jordan_leaves_a_message
from tests.voicemail.test_flows import Floor as VoicemailFloor
from tests.wrapup.conftest import ApiFloor


def checked(emu: Emulator) -> Counter[str]:
    """The operations the app's requests were checked as, having broken nothing."""
    found = emu.conformance.violations()
    assert not found, "\n".join(f"{v.method} {v.path}: {x.message}" for v, x in found)
    return emu.conformance.counts()


def saw(emu: Emulator, *operations: str) -> None:
    counts = checked(emu)
    missing = [op for op in operations if not counts[op]]
    assert not missing, f"never checked {missing}; checked {dict(counts)}"



def test_incoming_call_queue_agent_ring_answer_hold_and_hang_up(floor, amy):
    call = talking(floor, amy)  # the IVR, the line, amy rung into the caller's room
    assert amy.post(f"/api/calls/{call.sid}/hold").status_code == 200
    floor.wait(5)
    assert amy.post(f"/api/calls/{call.sid}/resume").status_code == 200
    floor.wait(1)
    amy.phone.hangup()
    floor.wait_until(lambda: call.ended or call.gathering, timeout=30)
    call.hangup()
    floor.wait(2)
    saw(floor.emu, "CreateParticipant", "UpdateParticipant")


def test_an_agent_who_does_not_answer_and_a_caller_who_hangs_up_in_line(floor, amy):
    amy.phone.answer_after = None
    call = floor.emu.dial_in(ASHA, NUMBER)
    floor.wait_until(lambda: call.gathering, timeout=60)
    call.press("1")
    floor.wait_until(lambda: amy.phone.is_ringing, timeout=30)
    floor.wait(40)  # the ring runs out; the hold clock moves on
    call.hangup()
    floor.wait(5)
    saw(floor.emu, "CreateParticipant")


def test_warm_transfer(floor, amy, bob):
    call = talking(floor, amy)
    assert amy.transfer(call, "warm", "agent", "bob").status_code == 201
    floor.wait_until(lambda: bob.phone.is_ringing, timeout=5)
    bob.phone.answer()
    floor.wait(1)
    assert amy.post(f"/api/calls/{call.sid}/transfer/complete").status_code == 200
    floor.wait(2)
    bob.phone.hangup()
    floor.wait_until(lambda: call.ended or call.gathering, timeout=30)
    saw(floor.emu, "CreateParticipant", "UpdateParticipant")


def test_cold_transfer(floor, amy, bob):
    call = talking(floor, amy)
    assert amy.transfer(call, "cold", "department", "support").status_code == 201
    floor.wait_until(lambda: bob.phone.is_ringing, timeout=30)
    bob.phone.answer()
    floor.wait(2)
    call.hangup()
    floor.wait(2)
    saw(floor.emu, "CreateParticipant", "UpdateCall")


@pytest.fixture
def api_floor(app: Flask, client: FlaskClient) -> Iterator[ApiFloor]:
    with emulated_floor(app, OPEN_HOURS) as emu:
        yield ApiFloor(app, emu, client)


def test_supervision_listen_whisper_barge_and_leave(api_floor):
    floor = api_floor
    sue = floor.agent("sue", ["billing"], role="supervisor", state="away")
    amy = floor.agent("amy", ["billing"])
    call = floor.answered_call(amy)
    monitor = f"/api/supervisor/calls/{call.sid}/monitor"
    assert floor.api("POST", monitor, "sue", json={"mode": "listen"}).status_code == 200
    floor.wait_until(lambda: sue.is_ringing, timeout=5)
    sue.answer()
    floor.wait(1)
    for mode in ("whisper", "barge"):
        assert floor.api("POST", monitor, "sue", json={"mode": mode}).status_code == 200
        floor.wait(1)
    assert floor.api("DELETE", monitor, "sue").status_code < 300
    floor.wait(1)
    amy.hangup()
    floor.wait(3)
    saw(floor.emu, "CreateParticipant", "UpdateParticipant", "ListConference")


@pytest.fixture
def voicemail_floor(app: Flask, client: FlaskClient) -> Iterator[VoicemailFloor]:
    with emulated_floor(app, OPEN_HOURS) as emu:
        yield VoicemailFloor(app, emu, client)


def test_voicemail_then_the_agent_calls_back(voicemail_floor):
    floor = voicemail_floor
    agent = floor.agent("amy", ["billing"])
    callback = jordan_leaves_a_message(floor)
    customer = floor.emu.phone(JORDAN, answer_after=3)
    call_back(floor, callback.id, floor.token("amy"), agent, customer)
    floor.emu.advance(5)
    agent.hangup()
    floor.emu.advance(5)
    saw(floor.emu, "CreateCall")


def test_the_recording_is_played_then_deleted_by_retention(voicemail_floor):
    floor = voicemail_floor
    floor.agent("amy", ["billing"])
    callback = jordan_leaves_a_message(floor)
    audio = floor.client.get(f"/api/callbacks/{callback.id}/recording",
                             headers=floor.token("amy"))
    assert audio.status_code == 200
    floor.emu.advance(91 * 86400)
    with floor.app.app_context():
        assert jobs.periodic()["recordings_deleted"] == 1
    saw(floor.emu, "FetchRecordingMedia", "DeleteRecording")


# -- the check itself ----------------------------------------------------------------------

def test_the_check_catches_a_participant_addressed_by_the_rooms_friendly_name(floor, amy):
    """Not vacuous: the gateway asked to hold a participant in the room named after the call
    (its friendly name, not its CF SID) is refused as Twilio refuses it, and recorded."""
    call = talking(floor, amy)
    floor.emu.conformance.expect_violations = True
    with floor.app.app_context(), pytest.raises(TelephonyError) as exc:
        gateway().update_participant(call.sid, call.sid, hold=True)
    assert exc.value.status == 404 and exc.value.code == 20404
    [(verdict, violation)] = floor.emu.conformance.violations()
    assert verdict.operation == "UpdateParticipant"
    assert (violation.kind, violation.name) == ("pattern", "ConferenceSid")
    assert not floor.emu.conference(call.sid).participants[call.sid].hold
