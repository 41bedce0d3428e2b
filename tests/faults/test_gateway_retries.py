"""The gateway against an emulator that fails on request: what it retries, what it never
does twice. In-process and instant; the real-process flows are in test_twilio_failing.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from twilio.rest import Client

from app.telephony.gateway import TelephonyError, TwilioGateway
from app.telephony.http_client import RebasedTwilioHttpClient
from sim.emulator import Emulator
from sim.faults import faults

ROOM = "CA" + "1" * 32


@pytest.fixture
def emu() -> Iterator[Emulator]:
    emulator = Emulator()
    emulator.start_rest_server()
    emulator.softphone("amy", answer_after=None)
    emulator.phone("+15551230000", answer_after=None)
    yield emulator
    emulator.stop()


@pytest.fixture
def gateway(emu: Emulator) -> TwilioGateway:
    client = Client(emu.account_sid, emu.auth_token,
                    http_client=RebasedTwilioHttpClient(emu.base_url, timeout=5))
    pauses: list[float] = []
    gw = TwilioGateway(client, retries=2, sleep=pauses.append)
    gw.pauses = pauses  # type: ignore[attr-defined]
    return gw


def ring(gateway: TwilioGateway) -> str:
    return gateway.add_agent_to_conference(ROOM, identity="amy", caller_id="+15005550006",
                                           timeout=20, status_callback="http://x.test/cb")


def agent_legs(emu: Emulator) -> list[str]:
    room = emu.conference(ROOM)
    return [] if room is None else [p.call_sid for p in room.participants.values()
                                    if p.label == "agent-amy"]


def test_a_lost_answer_returns_the_leg_twilio_made(emu, gateway):
    faults(emu).add("participants.create", status=500, after=True)
    leg = ring(gateway)
    assert agent_legs(emu) == [leg]


def test_refusals_are_retried_with_a_growing_pause(emu, gateway):
    faults(emu).add("participants.create", 2, status=503)
    leg = ring(gateway)
    assert agent_legs(emu) == [leg]
    assert gateway.pauses == [0.2, 0.4]


def test_giving_up_after_the_last_retry(emu, gateway):
    faults(emu).add("participants.create", 3, status=503)
    with pytest.raises(TelephonyError) as failed:
        ring(gateway)
    assert failed.value.status == 503
    assert agent_legs(emu) == []


def test_no_retry_when_the_room_cannot_be_searched(emu, gateway):
    faults(emu).add("participants.create", status=500, after=True)
    faults(emu).add("conferences.list", status=503)
    with pytest.raises(TelephonyError):
        ring(gateway)
    assert len(agent_legs(emu)) == 1  # the one Twilio made; never a second


def test_client_errors_are_not_retried(emu, gateway):
    faults(emu).add("participants.create", status=400, code=21218)
    with pytest.raises(TelephonyError) as failed:
        ring(gateway)
    assert failed.value.code == 21218 and gateway.pauses == []
    assert agent_legs(emu) == []


def test_redirects_and_hang_ups_are_retried(emu, gateway):
    leg = ring(gateway)
    faults(emu).add("calls.update", 2, status=503)
    gateway.hang_up(leg)
    assert [h.status for h in faults(emu).hits] == [503, 503]
    emu.advance(0)
    assert emu.store.calls[leg].status in ("canceled", "completed")
    with pytest.raises(TelephonyError) as failed:  # ended: Twilio says so, once
        gateway.redirect_call(leg, "http://x.test/offer")
    assert failed.value.code == 21220 and len(gateway.pauses) == 2


# Twilio documents no error code for "label already in use" or "the room has ended": the
# gateway reads a refusal from the room's state, never from a code.

def test_a_leg_an_earlier_ring_left_behind_is_taken_out_and_the_agent_rung_again(emu, gateway):
    stale = ring(gateway)
    emu.advance(0)
    leg = ring(gateway)  # Twilio refuses the label in use; the room shows amy's old leg
    assert leg != stale
    emu.advance(0)
    assert agent_legs(emu) == [leg]
    assert emu.store.calls[stale].ended
    assert gateway.pauses == []


def test_a_ring_into_a_room_that_has_ended_is_refused_without_a_retry(emu, gateway):
    ring(gateway)
    emu.advance(0)
    room = emu.conference(ROOM).sid
    gateway.client.conferences(room).update(status="completed")
    emu.advance(1)
    with pytest.raises(TelephonyError) as refused:
        gateway.add_agent_to_conference(room, identity="amy", caller_id="+15005550006",
                                        timeout=20, status_callback="http://x.test/cb")
    assert refused.value.status == 400 and gateway.pauses == []


def test_the_ring_asks_twilio_for_its_timeout_less_the_5_second_buffer(emu, gateway):
    leg = ring(gateway)  # 20 s wanted
    emu.advance(0)
    assert emu.store.calls[leg].timeout == 15
