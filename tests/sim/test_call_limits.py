"""Twilio's limits on calls it creates over the REST API: the account's calls per second (CPS,
1 by default) with `queue_time` in the create response, and the 5-second ring buffer added to
their `Timeout`. `<Dial>` legs and inbound calls are not limited."""

from __future__ import annotations

import pytest
import requests
from twilio.base.exceptions import TwilioRestException

from sim.testing import twilio_client
from tests.sim.apps import BASE, NUMBER, hits, respond

CUSTOMERS = [f"+1555123000{i}" for i in range(4)]


@pytest.fixture
def env(sim):
    emu, app = sim({
        "/ivr/incoming": respond("<Dial timeout='20'><Number>+15551239999</Number></Dial>"),
        "/outbound": respond("<Pause length='60'/>"),
        "/cb": lambda hit: ("", 204),
    })
    return emu, app, twilio_client(emu)


def _initiated_at(emu, sid: str) -> float:
    return next(e["t"] for e in emu.events
                if e["type"] == "call_status" and e["call_sid"] == sid
                and e["status"] == "initiated")


def test_a_burst_of_calls_starts_one_a_second_and_says_how_long_each_waits(env):
    emu, app, client = env
    made = [client.calls.create(to=to, from_=NUMBER, url=f"{BASE}/outbound")
            for to in CUSTOMERS]
    assert [c.queue_time for c in made] == ["0", "1000", "2000", "3000"]
    assert all(c.status == "queued" for c in made)
    emu.advance(0)
    assert client.calls(made[3].sid).fetch().status == "queued"  # still waiting its turn
    emu.advance(4)
    assert [_initiated_at(emu, c.sid) for c in made] == [0.0, 1.0, 2.0, 3.0]


def test_participants_wait_in_the_same_queue_as_calls(env):
    emu, app, client = env
    emu.softphone("agent_a")
    emu.softphone("agent_b")
    call = client.calls.create(to=CUSTOMERS[0], from_=NUMBER, url=f"{BASE}/outbound")
    first = client.conferences("room").participants.create(from_=NUMBER, to="client:agent_a")
    second = client.conferences("room").participants.create(from_=NUMBER, to="client:agent_b")
    assert call.queue_time == "0"
    assert (first.queue_time, second.queue_time) == ("1000", "2000")
    assert first.status == "queued"
    # Only the create response carries it, as Twilio's description says.
    room = emu.conference("room").sid
    assert client.conferences(room).participants(first.call_sid).fetch().queue_time is None
    emu.advance(3)
    assert [_initiated_at(emu, s) for s in (first.call_sid, second.call_sid)] == [1.0, 2.0]


def test_a_call_hung_up_while_queued_never_rings_and_frees_its_turn(env):
    emu, app, client = env
    first, second, third = (client.calls.create(to=to, from_=NUMBER, url=f"{BASE}/outbound")
                            for to in CUSTOMERS[:3])
    client.calls(second.sid).update(status="canceled")
    emu.advance(3)
    assert client.calls(second.sid).fetch().status == "canceled"
    assert not any(e["type"] == "ringing" and e["call_sid"] == second.sid for e in emu.events)
    assert _initiated_at(emu, third.sid) == 1.0


def test_a_higher_cps_starts_calls_closer_together(env):
    emu, app, client = env
    emu.set_cps(4)
    made = [client.calls.create(to=to, from_=NUMBER, url=f"{BASE}/outbound")
            for to in CUSTOMERS]
    assert [c.queue_time for c in made] == ["0", "250", "500", "750"]
    emu.advance(1)
    assert [_initiated_at(emu, c.sid) for c in made] == [0.0, 0.25, 0.5, 0.75]


def test_a_create_that_would_wait_over_a_day_is_refused_with_22005(env):
    emu, app, client = env
    emu.set_cps(1 / 43200)  # one call every 12 hours
    for to in CUSTOMERS[:3]:
        client.calls.create(to=to, from_=NUMBER, url=f"{BASE}/outbound")
    with pytest.raises(TwilioRestException) as err:
        client.calls.create(to=CUSTOMERS[3], from_=NUMBER, url=f"{BASE}/outbound")
    assert err.value.code == 22005
    assert len(emu.store.calls) == 3  # nothing was created


def test_dial_legs_and_inbound_calls_are_not_throttled(env):
    emu, app, client = env
    emu.phone("+15551239999", answer_after=30)
    # Two API calls take the next two seconds of the account's CPS...
    for to in CUSTOMERS[:2]:
        client.calls.create(to=to, from_=NUMBER, url=f"{BASE}/outbound")
    emu.advance(0)
    # ...but callers dialling in, and the legs their <Dial> rings, start at once.
    for i in range(3):
        emu.dial_in(f"+1555000000{i}", NUMBER)
    legs = [c for c in emu.store.calls.values() if c.direction == "outbound-dial"]
    assert len(legs) == 3
    assert all(_initiated_at(emu, leg.sid) == 0.0 for leg in legs)


def test_a_softphones_outgoing_call_is_not_throttled(sim):
    emu, app = sim({"/softphone/outgoing": respond("<Say>hello</Say><Pause length='5'/>"),
                    "/outbound": respond("<Pause length='60'/>")})
    emu.add_application(f"{BASE}/softphone/outgoing")
    client = twilio_client(emu)
    for to in CUSTOMERS[:3]:
        client.calls.create(to=to, from_=NUMBER, url=f"{BASE}/outbound")
    agent = emu.softphone("agent_a")
    agent.place_call(to=CUSTOMERS[3])
    assert hits(app, "/softphone/outgoing")  # at once, not in 3 s


def test_api_calls_ring_their_timeout_plus_twilios_5_second_buffer(env):
    emu, app, client = env
    emu.phone(CUSTOMERS[0], policy="no-answer")
    call = client.calls.create(to=CUSTOMERS[0], from_=NUMBER, url=f"{BASE}/outbound",
                               timeout=20, status_callback=f"{BASE}/cb")
    emu.advance(24.9)
    assert client.calls(call.sid).fetch().status == "ringing"
    emu.advance(0.2)
    assert client.calls(call.sid).fetch().status == "no-answer"
    assert hits(app, "/cb")[-1].params["CallStatus"] == "no-answer"


def test_the_ring_buffer_can_be_set_for_a_test_of_other_things(sim):
    emu, app = sim({"/outbound": respond("<Pause length='60'/>")}, ring_buffer=0)
    client = twilio_client(emu)
    emu.phone(CUSTOMERS[0], policy="no-answer")
    call = client.calls.create(to=CUSTOMERS[0], from_=NUMBER, url=f"{BASE}/outbound",
                               timeout=20)
    emu.advance(20.1)
    assert client.calls(call.sid).fetch().status == "no-answer"


def test_the_control_api_sets_the_accounts_cps(env):
    emu, app, client = env
    base = emu.base_url + "/_sim/cps"
    assert requests.post(base, json={"cps": 5}, timeout=5).json() == {"cps": 5.0}
    assert emu.cps == 5.0
    assert requests.post(base, json={"cps": 0}, timeout=5).status_code == 400
    assert requests.post(base, json={"cps": "lots"}, timeout=5).status_code == 400
    assert emu.cps == 5.0
