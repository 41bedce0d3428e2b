"""The OpenAPI check on its own: Twilio's description of the 2010-04-01 API against requests
that fit it and requests that do not."""

from __future__ import annotations

import json

import pytest

from sim.conformance import refusal
from sim.openapi import SPEC_PATH, Spec, twilio_v2010

ACCOUNT = "AC" + "a" * 32
CONF = "CF" + "b" * 32
CALL = "CA" + "c" * 32
QUEUE = "QU" + "d" * 32
BASE = f"/2010-04-01/Accounts/{ACCOUNT}"
AGENT_RING = {"From": ["+15005550006"], "To": ["client:amy"], "Label": ["agent-amy"],
              "Timeout": ["20"], "EarlyMedia": ["true"], "Beep": ["false"],
              "StartConferenceOnEnter": ["true"], "EndConferenceOnExit": ["true"],
              "StatusCallback": ["https://example.test/status"],
              "StatusCallbackMethod": ["POST"],
              "StatusCallbackEvent": ["answered", "completed"]}


@pytest.fixture(scope="module")
def spec() -> Spec:
    return twilio_v2010()


def kinds(verdict) -> list[tuple[str, str | None]]:
    return [(v.kind, v.name) for v in verdict.violations]


def test_the_copy_is_twilios_description_of_the_2010_api():
    with open(SPEC_PATH, encoding="utf-8") as fh:
        document = json.load(fh)
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "Twilio - Api"
    assert "/2010-04-01/Accounts/{AccountSid}/Conferences/{ConferenceSid}/Participants.json" \
        in document["paths"]


def test_the_requests_a_call_centre_makes_fit(spec):
    good = [
        ("POST", f"{BASE}/Calls.json", {"To": ["+15551230000"], "From": ["+15005550006"],
                                        "Url": ["https://example.test/x"], "Method": ["POST"],
                                        "Timeout": ["30"],
                                        "StatusCallbackEvent": ["initiated", "completed"]}, {}),
        ("POST", f"{BASE}/Calls/{CALL}.json", {"Status": ["completed"]}, {}),
        ("POST", f"{BASE}/Calls/{CALL}.json", {"Url": ["https://example.test/y"],
                                               "Method": ["POST"]}, {}),
        ("GET", f"{BASE}/Calls/{CALL}.json", {}, {}),
        ("GET", f"{BASE}/Conferences.json", {}, {"FriendlyName": [CALL],
                                                 "Status": ["in-progress"], "PageSize": ["1"]}),
        ("GET", f"{BASE}/Conferences/{CONF}.json", {}, {}),
        ("GET", f"{BASE}/Conferences/{CONF}/Participants.json", {}, {"PageSize": ["50"]}),
        ("POST", f"{BASE}/Conferences/{CONF}/Participants.json", AGENT_RING, {}),
        ("POST", f"{BASE}/Conferences/{CONF}/Participants/{CALL}.json",
         {"Hold": ["true"], "HoldUrl": ["https://example.test/hold"], "HoldMethod": ["POST"]},
         {}),
        ("POST", f"{BASE}/Conferences/{CONF}/Participants/agent-amy.json",
         {"Muted": ["false"], "Coaching": ["true"], "CallSidToCoach": [CALL]}, {}),
        ("DELETE", f"{BASE}/Conferences/{CONF}/Participants/{CALL}.json", {}, {}),
        ("DELETE", f"{BASE}/Recordings/RE{'e' * 32}.json", {}, {}),
        ("GET", f"{BASE}/Recordings/RE{'e' * 32}.mp3", {}, {}),
        ("POST", f"{BASE}/Queues/{QUEUE}/Members/Front.json",
         {"Url": ["https://example.test/z"], "Method": ["POST"]}, {}),
    ]
    for method, path, form, query in good:
        verdict = spec.check(method, path, form, query)
        assert verdict.ok, (method, path, verdict.violations)
        assert refusal(verdict) is None


def test_adding_a_participant_takes_the_friendly_name_as_the_spec_allows(spec):
    verdict = spec.check("POST", f"{BASE}/Conferences/call-room-7/Participants.json", AGENT_RING)
    assert verdict.ok and verdict.operation == "CreateParticipant"


def test_updating_a_participant_needs_the_conference_sid(spec):
    verdict = spec.check("POST", f"{BASE}/Conferences/call-room-7/Participants/{CALL}.json",
                         {"Hold": ["true"]})
    assert kinds(verdict) == [("pattern", "ConferenceSid")]
    assert "^CF[0-9a-fA-F]{32}$" in verdict.violations[0].message
    assert refusal(verdict)[:2] == (404, 20404)
    for method in ("GET", "DELETE"):
        verdict = spec.check(method, f"{BASE}/Conferences/room/Participants/{CALL}.json")
        assert kinds(verdict) == [("pattern", "ConferenceSid")]
    verdict = spec.check("GET", f"{BASE}/Conferences/room/Participants.json")
    assert kinds(verdict) == [("pattern", "ConferenceSid")]
    verdict = spec.check("GET", f"{BASE}/Conferences/room.json")
    assert kinds(verdict) == [("pattern", "Sid")]


def test_a_sid_of_the_wrong_kind_or_length_is_not_found(spec):
    for path in (f"{BASE}/Calls/{CONF}.json", f"{BASE}/Calls/CA123.json",
                 f"/2010-04-01/Accounts/AC123/Calls/{CALL}.json",
                 f"{BASE}/Queues/{CALL}/Members/Front.json"):
        verdict = spec.check("GET", path)
        assert [v.kind for v in verdict.violations] == ["pattern"], path
        assert refusal(verdict)[:2] == (404, 20404)


def test_undeclared_paths_and_methods(spec):
    verdict = spec.check("GET", f"{BASE}/Conference/{CONF}.json")
    assert kinds(verdict) == [("path", None)] and verdict.operation is None
    assert refusal(verdict)[:2] == (404, 20404)
    verdict = spec.check("DELETE", f"{BASE}/Conferences/{CONF}.json")
    assert kinds(verdict) == [("method", None)]
    assert refusal(verdict)[:2] == (405, 20004)
    verdict = spec.check("DELETE", f"{BASE}/Recordings/RE{'e' * 32}.mp3")
    assert kinds(verdict) == [("path", None)]


def test_unknown_fields_are_a_warning_not_a_refusal(spec):
    verdict = spec.check("POST", f"{BASE}/Conferences/{CONF}/Participants/{CALL}.json",
                         {"Hold": ["true"], "HoldUrl": ["https://x.test/h"],
                          "StatusCallbackEvent": ["answered"], "Colour": ["blue"]})
    assert kinds(verdict) == [("unknown", "Colour, StatusCallbackEvent")]
    assert verdict.violations[0].warning
    assert refusal(verdict) is None
    verdict = spec.check("GET", f"{BASE}/Conferences.json", query={"Name": ["x"]})
    assert kinds(verdict) == [("unknown", "Name")]


def test_required_fields(spec):
    verdict = spec.check("POST", f"{BASE}/Calls.json", {"To": ["+15551230000"],
                                                        "Url": ["https://x.test/"]})
    assert kinds(verdict) == [("required", "From")]
    assert refusal(verdict)[:2] == (400, 21213)
    verdict = spec.check("POST", f"{BASE}/Conferences/room/Participants.json",
                         {"From": ["+15005550006"], "To": [""]})
    assert kinds(verdict) == [("required", "To")]
    assert refusal(verdict)[:2] == (400, 21201)
    verdict = spec.check("POST", f"{BASE}/Queues/{QUEUE}/Members/Front.json", {})
    assert kinds(verdict) == [("required", "Url")]
    assert refusal(verdict) == (400, 20001, "Missing required parameter Url in the post body")


def test_enumerations_and_types(spec):
    verdict = spec.check("POST", f"{BASE}/Calls/{CALL}.json", {"Status": ["hung-up"]})
    assert kinds(verdict) == [("enum", "Status")]
    assert refusal(verdict)[:2] == (400, 21200)
    verdict = spec.check("POST", f"{BASE}/Conferences/{CONF}/Participants/{CALL}.json",
                         {"Hold": ["yes"], "HoldMethod": ["PUT"]})
    assert kinds(verdict) == [("type", "Hold"), ("enum", "HoldMethod")]
    assert refusal(verdict)[:2] == (400, 400)  # the first problem answers
    verdict = spec.check("POST", f"{BASE}/Conferences/{CONF}/Participants/{CALL}.json",
                         {"Hold": ["true"], "HoldMethod": ["PUT"]})
    assert refusal(verdict)[:2] == (400, 21209)
    verdict = spec.check("POST", f"{BASE}/Conferences/{CONF}.json", {"Status": ["ended"]})
    assert kinds(verdict) == [("enum", "Status")]
    assert refusal(verdict)[:2] == (400, 400)
    verdict = spec.check("POST", f"{BASE}/Calls.json", {**AGENT_RING, "Timeout": ["soon"]})
    assert ("type", "Timeout") in kinds(verdict)
    verdict = spec.check("GET", f"{BASE}/Conferences.json", query={"Status": ["live"]})
    assert kinds(verdict) == [("enum", "Status")]


def test_each_value_of_a_repeated_field_is_checked():
    spec = Spec({"paths": {"/things.json": {"post": {
        "operationId": "CreateThing",
        "requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": {
            "properties": {
                "Event": {"type": "array", "items": {"$ref": "#/components/schemas/event"}},
                "Name": {"type": "string"}}}}}}}}},
        "components": {"schemas": {"event": {"type": "string",
                                             "enum": ["answered", "completed"]}}}})
    assert spec.check("POST", "/things.json", {"Event": ["answered", "completed"]}).ok
    verdict = spec.check("POST", "/things.json", {"Event": ["answered", "rung"]})
    assert kinds(verdict) == [("enum", "Event")] and "'rung'" in verdict.violations[0].message
    verdict = spec.check("POST", "/things.json", {"Name": ["a", "b"]})
    assert kinds(verdict) == [("type", "Name")]
