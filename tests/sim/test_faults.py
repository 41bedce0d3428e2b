"""Fault injection in the emulator's REST API (sim/faults.py), through the real twilio Client
and the `/_sim/faults` control API."""

from __future__ import annotations

import time

import pytest
import requests
from twilio.base.exceptions import TwilioRestException

from sim.faults import faults, operation_name
from sim.testing import twilio_client
from tests.sim.apps import NUMBER, respond

AGENT = "client:agent_7"


@pytest.fixture
def env(sim):
    emu, app = sim({"/ivr/incoming": respond("<Say>hello</Say>")})
    emu.softphone("agent_7", answer_after=None)
    return emu, twilio_client(emu)


def add_agent(client, room: str = "room-1"):
    return client.conferences(room).participants.create(
        from_=NUMBER, to=AGENT, label="agent", timeout=20)


def agents_in(emu, room: str = "room-1") -> list[str]:
    conf = emu.conference(room)
    return [] if conf is None else [p.call_sid for p in conf.participants.values()
                                    if p.label == "agent"]


def test_operation_names_follow_the_client_calls():
    assert operation_name("create_participant", "POST") == "participants.create"
    assert operation_name("update_call", "POST") == "calls.update"
    assert operation_name("recording", "DELETE") == "recordings.delete"
    assert operation_name("recording", "GET") == "recordings.fetch"


def test_the_next_n_creates_fail_before_taking_effect(env):
    emu, client = env
    faults(emu).add("participants.create", 2, status=503)
    for _ in range(2):
        with pytest.raises(TwilioRestException) as failed:
            add_agent(client)
        assert failed.value.status == 503 and failed.value.code == 20503
    assert agents_in(emu) == []
    participant = add_agent(client)  # the rule is used up
    assert agents_in(emu) == [participant.call_sid]
    logged = [e for e in emu.events if e["type"] == "fault"]
    assert [(e["operation"], e["status"], e["after"]) for e in logged] == [
        ("participants.create", 503, False)] * 2


def test_a_lost_answer_leaves_the_participant_in_the_room(env):
    emu, client = env
    faults(emu).add("participants.create", status=500, after=True)
    with pytest.raises(TwilioRestException) as failed:
        add_agent(client)
    assert failed.value.status == 500 and failed.value.code == 20500
    (created,) = agents_in(emu)
    # A blind retry would ring the agent twice; the emulator refuses the duplicate label
    # (Twilio documents no code for it: the generic 400 "Bad Request").
    with pytest.raises(TwilioRestException) as duplicate:
        add_agent(client)
    assert duplicate.value.status == 400 and duplicate.value.code == 400
    assert agents_in(emu) == [created]
    conf_sid = emu.conference("room-1").sid
    listed = client.conferences(conf_sid).participants.list()
    assert [p.call_sid for p in listed] == [created]


def test_a_slow_answer_times_out_the_client_and_still_takes_effect(sim):
    emu, _ = sim({"/ivr/incoming": respond("<Say>hello</Say>")})
    emu.softphone("agent_7", answer_after=None)
    impatient = twilio_client(emu, timeout=0.2)
    faults(emu).add("participants.create", delay=0.6)
    with pytest.raises(requests.exceptions.Timeout):
        add_agent(impatient)
    deadline = time.monotonic() + 5
    while not agents_in(emu) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(agents_in(emu)) == 1
    (hit,) = faults(emu).state()["hits"]
    assert hit["operation"] == "participants.create" and hit["delay"] == 0.6


def test_other_operations_are_untouched(env):
    emu, client = env
    faults(emu).add("calls.update", status=503)
    participant = add_agent(client)  # not a calls.update
    assert agents_in(emu) == [participant.call_sid]
    assert client.calls(participant.call_sid).fetch().sid == participant.call_sid
    with pytest.raises(TwilioRestException):
        client.calls(participant.call_sid).update(status="completed")
    client.calls(participant.call_sid).update(status="completed")
    emu.advance(0)
    assert client.calls(participant.call_sid).fetch().status in ("canceled", "completed")


def test_the_control_api_adds_lists_and_clears_faults(env):
    emu, client = env
    base = emu.base_url
    participant = add_agent(client)
    r = requests.post(f"{base}/_sim/faults", json={"operation": "*", "count": 1,
                                                    "status": 502}, timeout=5)
    assert r.status_code == 201 and r.json()["operation"] == "*"
    with pytest.raises(TwilioRestException) as failed:
        client.calls(participant.call_sid).fetch()
    assert failed.value.status == 502
    client.calls(participant.call_sid).fetch()
    state = requests.get(f"{base}/_sim/faults", timeout=5).json()
    assert state["active"] == []
    assert [(h["operation"], h["status"], h["done"]) for h in state["hits"]] == [
        ("calls.fetch", 502, True)]
    for bad in ({}, {"operation": "calls.update"}, {"operation": "x", "status": 200},
                {"operation": "x", "delay": -1}):
        assert requests.post(f"{base}/_sim/faults", json=bad, timeout=5).status_code == 400
    requests.post(f"{base}/_sim/faults", json={"operation": "calls.list", "status": 500},
                  timeout=5)
    cleared = requests.delete(f"{base}/_sim/faults", timeout=5).json()
    assert cleared == {"faults": [], "active": [], "hits": []}
    client.calls.list()  # nothing left to fail it
