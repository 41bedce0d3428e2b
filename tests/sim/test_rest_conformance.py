"""The emulator's REST API holds requests to Twilio's OpenAPI description, and answers the
ones that break it as Twilio does: 404 for a path or SID that is not declared, 400 for a
missing or invalid value, and warning 20001 (not a refusal) for an unknown parameter."""

from __future__ import annotations

import pytest
import requests
from twilio.base.exceptions import TwilioException, TwilioRestException

from sim.testing import emulator_for, twilio_client
from tests.sim.apps import ACCOUNT_SID, AUTH_TOKEN, BASE, CALLER, NUMBER, make_app, respond

ROOM = "room-1"
CUSTOMER = "+15551230000"


@pytest.fixture
def room(sim):
    """A caller waiting in the conference `room-1`; the test client is the real twilio one."""
    emu, app = sim({
        "/ivr/incoming": respond(f"<Dial><Conference participantLabel='customer'>{ROOM}"
                                 "</Conference></Dial>"),
        "/outbound": respond("<Say>hello</Say>", "<Pause length='30'/>"),
    })
    call = emu.dial_in(CALLER, NUMBER)
    emu.run_until(lambda: call.in_conference)
    return emu, twilio_client(emu), call


def raw(emu, method: str, path: str, data=None) -> requests.Response:
    """A request the twilio library would not send as it is: straight over HTTP."""
    url = f"{emu.base_url}/2010-04-01/Accounts/{emu.account_sid}/{path}"
    return requests.request(method, url, data=data, auth=(emu.account_sid, emu.auth_token),
                            timeout=10)


def test_a_conference_updated_by_its_friendly_name_is_not_found(room):
    emu, client, call = room
    emu.conformance.expect_violations = True
    with pytest.raises(TwilioRestException) as exc:
        client.conferences(ROOM).participants(call.sid).update(hold=True)
    assert exc.value.status == 404 and exc.value.code == 20404
    assert not emu.conference(ROOM).participants[call.sid].hold
    [(verdict, violation)] = emu.conformance.violations()
    assert verdict.operation == "UpdateParticipant"
    assert violation.kind == "pattern" and violation.name == "ConferenceSid"
    [logged] = [e for e in emu.events if e["type"] == "spec_violation"]
    assert logged["kind"] == "pattern" and logged["path"].endswith(f"/{ROOM}/Participants/"
                                                                  f"{call.sid}.json")
    # By its SID the same request is fine.
    sid = emu.conference(ROOM).sid
    client.conferences(sid).participants(call.sid).update(hold=True)
    assert emu.conference(ROOM).participants[call.sid].hold
    assert len(emu.conformance.violations()) == 1


def test_fetching_and_listing_need_the_sid_too(room):
    emu, client, call = room
    emu.conformance.expect_violations = True
    for request in (lambda: client.conferences(ROOM).fetch(),
                    lambda: client.conferences(ROOM).participants.list(),
                    lambda: client.conferences(ROOM).participants("customer").fetch(),
                    lambda: client.calls("call-1").fetch()):
        with pytest.raises(TwilioException) as exc:  # a list page fails as the base class
            request()
        assert '"code": 20404' in str(exc.value) or exc.value.code == 20404
    assert [v.kind for _, v in emu.conformance.violations()] == ["pattern"] * 4


def test_adding_a_participant_by_friendly_name_is_allowed(room):
    emu, client, call = room
    emu.softphone("amy")
    client.conferences(ROOM).participants.create(from_=NUMBER, to="client:amy", label="agent")
    assert emu.conformance.violations() == []
    assert emu.conformance.counts()["CreateParticipant"] == 1


def test_an_unknown_parameter_is_ignored_with_warning_20001(room):
    emu, client, call = room
    emu.conformance.expect_violations = True
    emu.phone(CUSTOMER, answer_after=1)
    response = raw(emu, "POST", "Calls.json", {
        "To": CUSTOMER, "From": NUMBER, "Url": f"{BASE}/outbound", "Colour": "blue"})
    assert response.status_code == 201  # Twilio carries on: "No harm done"
    [warning] = [e for e in emu.events if e["type"] == "debugger_warning"]
    assert warning["code"] == 20001 and warning["message"] == "Unknown parameters"
    assert "Colour" in warning["detail"]
    [(_, violation)] = emu.conformance.violations()
    assert violation.kind == "unknown" and violation.warning
    emu.run_until(lambda: emu.party(CUSTOMER).has_heard("hello"))


def test_missing_and_invalid_values_are_refused(room):
    emu, client, call = room
    emu.conformance.expect_violations = True
    response = raw(emu, "POST", f"Calls/{call.sid}.json", {"Status": "hung-up"})
    assert response.status_code == 400 and response.json()["code"] == 21200
    response = raw(emu, "POST", f"Calls/{call.sid}.json", {"Url": f"{BASE}/outbound",
                                                           "Method": "PUT"})
    assert response.status_code == 400 and response.json()["code"] == 21209
    response = raw(emu, "POST", "Calls.json", {"From": NUMBER, "Url": f"{BASE}/outbound"})
    assert response.status_code == 400 and response.json()["code"] == 21201
    sid = emu.conference(ROOM).sid
    response = raw(emu, "POST", f"Conferences/{sid}/Participants/{call.sid}.json",
                   {"Hold": "maybe"})
    assert response.status_code == 400 and response.json()["code"] == 400
    assert not call.ended and not emu.conference(ROOM).participants[call.sid].hold
    assert [v.kind for _, v in emu.conformance.violations()] == [
        "enum", "enum", "required", "type"]


def test_the_teardown_fails_a_test_whose_requests_broke_the_description():
    app = make_app({"/ivr/incoming": respond(f"<Dial><Conference>{ROOM}</Conference></Dial>")})
    with pytest.raises(AssertionError, match="broke Twilio's OpenAPI description"), \
            emulator_for(app, public_base_url=BASE, account_sid=ACCOUNT_SID,
                         auth_token=AUTH_TOKEN) as emu:
        call = emu.dial_in(CALLER, NUMBER)
        emu.run_until(lambda: call.in_conference)
        with pytest.raises(TwilioRestException):
            twilio_client(emu).conferences(ROOM).participants(call.sid).update(muted=True)


def test_the_teardown_fails_on_an_unknown_parameter_too():
    app = make_app({"/outbound": respond("<Say>hello</Say>")})
    with pytest.raises(AssertionError, match="unknown form field"), emulator_for(
            app, public_base_url=BASE, account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN) as emu:
        response = raw(emu, "POST", "Calls.json", {"To": CUSTOMER, "From": NUMBER,
                                                   "Url": f"{BASE}/outbound", "Colour": "red"})
        assert response.status_code == 201


def test_the_control_api_reports_what_was_checked(room):
    """What a separate process (`python -m sim serve`, the browser tests' stack) shows."""
    emu, client, call = room
    emu.conformance.expect_violations = True
    client.calls(call.sid).fetch()
    with pytest.raises(TwilioRestException):
        client.conferences(ROOM).participants(call.sid).update(muted=True)
    report = requests.get(f"{emu.base_url}/_sim/conformance", timeout=10).json()
    assert report["checked"] == {"FetchCall": 1, "UpdateParticipant": 1}
    [broken] = report["violations"]
    assert broken["operation"] == "UpdateParticipant" and broken["method"] == "POST"
    assert broken["violations"][0]["kind"] == "pattern"
