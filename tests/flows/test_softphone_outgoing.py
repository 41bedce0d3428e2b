"""An agent places a call from their softphone: the TwiML App's voice URL
(`/softphone/outgoing`, as in docs/deploy.md and `python -m sim serve`) dials a customer with
the call centre's number, or another agent; anything else is refused in words."""

from __future__ import annotations

import pytest

from sim.testing import assert_heard
from tests.conftest import PUBLIC_BASE_URL

CUSTOMER = "+14155550188"


@pytest.fixture
def app_line(floor):
    """The TwiML App softphones call, as configured in Twilio's console."""
    floor.emu.add_application(PUBLIC_BASE_URL + "/softphone/outgoing",
                              sid=floor.app.config["TWILIO_TWIML_APP_SID"])
    return floor


def test_an_agent_calls_a_customer_with_the_call_centres_number(app_line):
    floor = app_line
    amy = floor.agent("amy", ["billing"])
    customer = floor.emu.phone(CUSTOMER, answer_after=3)
    call = amy.place_call(to=CUSTOMER)
    floor.wait_until(lambda: customer.call is not None, timeout=10)
    leg = customer.call
    assert leg.from_ == floor.app.config["TWILIO_PHONE_NUMBER"]
    assert leg.direction == "outbound-dial" and leg.parent_call_sid == call.sid
    amy.say("Hello, this is Amy from the call centre")
    assert_heard(customer, "Hello, this is Amy from the call centre")
    customer.hangup()
    floor.wait(1)
    assert call.ended


def test_a_national_number_is_read_in_the_call_centres_region(app_line):
    floor = app_line
    amy = floor.agent("amy", ["billing"])
    customer = floor.emu.phone(CUSTOMER, answer_after=1)
    amy.place_call(to="(415) 555-0188")
    floor.wait_until(lambda: customer.call is not None, timeout=10)
    assert customer.call.to == CUSTOMER


def test_an_agent_calls_another_agent(app_line):
    floor = app_line
    amy = floor.agent("amy", ["billing"])
    bob = floor.agent("bob", ["support"], state="away")
    call = amy.place_call(to="bob")
    floor.wait_until(lambda: bob.is_ringing, timeout=5)
    bob.answer()
    floor.wait(1)
    assert bob.call is not None and bob.call.parent_call_sid == call.sid
    assert bob.call.from_ == "client:amy"


@pytest.mark.parametrize("to, words", [
    ("12", "that is not a number or an agent we can call"),
    ("nobody_here", "that is not a number or an agent we can call"),
    ("client:amy", "You cannot call your own softphone"),
    ("+19005550123", "not allowed from the call centre"),  # premium rate
])
def test_calls_that_cannot_be_placed_are_refused_in_words(app_line, to, words):
    floor = app_line
    amy = floor.agent("amy", ["billing"])
    call = amy.place_call(to=to)
    floor.wait_until(lambda: call.ended, timeout=10)
    assert_heard(amy, words)
    assert not [c for c in floor.emu.store.calls.values() if c.direction == "outbound-dial"]


def test_a_softphone_that_is_not_an_agent_cannot_place_calls(app_line):
    floor = app_line
    stranger = floor.emu.softphone("mallory")
    call = stranger.place_call(to=CUSTOMER)
    floor.wait_until(lambda: call.ended, timeout=10)
    assert_heard(stranger, "This softphone is not allowed to place calls")
    assert floor.emu.phone(CUSTOMER).call is None


def test_a_call_through_another_twiml_app_is_refused(app_line):
    floor = app_line
    other = floor.emu.add_application(PUBLIC_BASE_URL + "/softphone/outgoing")
    amy = floor.agent("amy", ["billing"])
    call = amy.place_call(to=CUSTOMER, application_sid=other.sid)
    floor.wait_until(lambda: call.ended, timeout=10)
    assert_heard(amy, "This softphone is not allowed to place calls")
    assert floor.emu.phone(CUSTOMER).call is None
