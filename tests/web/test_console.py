"""The console page, its event stream, the transfer directory and the emulated softphone."""

from __future__ import annotations

import json
import re

import pytest

from app.agents import services as agents
from app.extensions import db
from app.floor.languages import LANGUAGES
from app.queue import queue_services
from app.web import sse
from tests.conftest import EVERY_LANGUAGE, PUBLIC_BASE_URL
from tests.flows.conftest import emulated_floor
from tests.web.conftest import PASSWORD, page_csrf, sign_in

JORDAN = "+12025550143"  # demo customer: English, account 100004
OPEN_HOURS = "2026-11-25 05:00:00"  # a Wednesday morning in Kolkata: every department is open


def console_settings(html: str) -> dict:
    match = re.search(r'x-data="agentConsole\(([^"]+)\)"', html)
    assert match, "the console has no settings"
    return json.loads(match.group(1).replace("&#34;", '"'))


def test_the_console_asks_for_sign_in(client, people):
    response = client.get("/console")
    assert response.status_code == 302
    assert response.headers["Location"] == "/signin?next=/console"


def test_the_console_page_carries_the_agents_settings(amy_browser):
    client, _ = amy_browser
    html = client.get("/console").get_data(as_text=True)
    assert console_settings(html) == {"identity": "amy", "mode": "emulator",
                                      "wrapUpSeconds": 30, "holdWarnAt": [30, 45],
                                      "holdLimit": 60,
                                      "languages": {code: language.name for code, language
                                                    in LANGUAGES.items()},
                                      "ringMode": "line"}
    for control in ("go-available", "go-away", "answer", "reject", "hold", "transfer-start",
                    "transfer-complete", "wrapup-submit", "callback-clear-save",
                    "caller-language", "ringing-language", "language-not-yours"):
        assert f'data-testid="{control}"' in html
    assert "vendor/alpine.min.js" in html and "js/console.js" in html and "js/line.js" in html
    assert "js/caller-language.js" in html
    # Offline, the console needs no Twilio SDK.
    assert "twilio-voice.min.js" not in html


def test_live_mode_loads_the_twilio_voice_sdk(app, client, people):
    app.config["TWILIO_MODE"] = "live"
    sign_in(client)
    html = client.get("/console").get_data(as_text=True)
    assert "vendor/twilio-voice.min.js" in html
    assert console_settings(html)["mode"] == "live"
    token = page_csrf(client.get("/console"))
    # The emulated softphone does not exist in live mode.
    response = client.post("/console/phone/register", headers={"X-CSRF-Token": token})
    assert response.status_code == 404


def test_the_directory_lists_colleagues_and_departments(amy_browser):
    client, _ = amy_browser
    body = client.get("/console/directory").get_json()
    assert [a["identity"] for a in body["agents"]] == ["sam"]
    assert body["agents"][0]["state"] == "offline"
    assert body["departments"] == [{"slug": "billing", "name": "Billing"}]


def test_softphone_actions_need_the_csrf_token(amy_browser):
    client, _ = amy_browser
    response = client.post("/console/phone/answer", json={})
    assert response.status_code == 403
    assert response.get_json()["error"]["id"] == "csrf_failed"


def test_the_event_stream_says_hello_then_relays_the_agents_events(app, amy_browser):
    client, token = amy_browser
    response = client.get("/console/events", buffered=False)
    assert response.mimetype == "text/event-stream"
    chunks = (chunk.decode() for chunk in response.response)
    assert next(chunks) == "retry: 2000\n\n"
    hello = next(chunks)
    assert hello.startswith("event: hello\n")
    data = json.loads(hello.split("data: ", 1)[1])
    assert data["identity"] == "amy" and data["state"] == "offline" and data["server_time"]
    response.close()


def test_stream_relays_events_in_order_and_resumes_after_the_last_seen(app, people):
    with app.app_context():
        events = queue_services().events
        stream = events.agent_stream("amy")
        events.agent_event("amy", "state", state="available", reason="")
        first = events.redis.xrevrange(stream, count=1)[0][0]
        events.agent_event("amy", "offer", call_sid="CA1", department="billing")
        text = "".join(sse.stream(events.redis, stream, {"identity": "amy"}, after="0-0",
                                   pacing=sse.Pacing(duration=0.2, block_ms=50)))
        assert text.index("event: hello") < text.index('"type": "state"') < \
            text.index('"type": "offer"')
        assert f"id: {first}\nevent: agent" in text
        resumed = "".join(sse.stream(events.redis, stream, {}, after=first,
                                      pacing=sse.Pacing(duration=0.2, block_ms=50)))
        assert '"type": "offer"' in resumed and '"type": "state"' not in resumed


def test_phone_changes_are_sent_once_each():
    answers = iter([
        {"events": [{"line": "old"}], "next": 1, "ringing": [], "call_sid": None},
        {"events": [], "next": 1, "ringing": [], "call_sid": None},
        {"events": [{"line": "ringing"}], "next": 2, "ringing": ["CA9"], "call_sid": None},
        {"events": [], "next": 2, "ringing": ["CA9"], "call_sid": None},
    ])
    since, seen, message = sse._phone_change(lambda s: next(answers), None, None)
    # On connect: the present state, not what the phone heard before.
    assert message == {"online": True, "ringing": [], "call_sid": None, "lines": []}
    since, seen, message = sse._phone_change(lambda s: next(answers), since, seen)
    assert message is None
    since, seen, message = sse._phone_change(lambda s: next(answers), since, seen)
    assert message["ringing"] == ["CA9"] and message["lines"] == ["ringing"]
    assert sse._phone_change(lambda s: next(answers), since, seen)[2] is None


@pytest.fixture
def floor_with_amy(app):
    with emulated_floor(app, OPEN_HOURS) as emu:
        with app.app_context():
            agents.create_agent("Amy Agent", "amy", departments=["support"], password=PASSWORD,
                                languages=EVERY_LANGUAGE)
            db.session.commit()
        yield emu


def test_the_emulated_softphone_rings_rejects_and_answers_through_the_console(app, client,
                                                                     floor_with_amy):
    emu = floor_with_amy
    sign_in(client)
    token = page_csrf(client.get("/console"))
    headers = {"X-CSRF-Token": token}
    assert client.post("/console/phone/register", headers=headers).status_code == 200
    assert emu.parties["client:amy"].online
    client.post("/api/agents/me/state", json={"state": "available"}, headers=headers)

    call = emu.dial_in(JORDAN, "+15005550006")
    emu.run_until(lambda: call.gathering, timeout=60)
    call.press("2")  # technical support
    emu.run_until(lambda: emu.parties["client:amy"].is_ringing, timeout=60)
    me = client.get("/api/agents/me").get_json()
    assert me["state"] == "ringing" and me["call_sid"] == call.sid

    # Rejecting puts Amy away and the caller back in line; available again, she is rung again.
    assert client.post("/console/phone/reject", json={}, headers=headers).status_code == 200
    emu.run_until(lambda: client.get("/api/agents/me").get_json()["state"] == "away",
                  timeout=30)
    assert call.in_conference and not call.ended
    client.post("/api/agents/me/state", json={"state": "available"}, headers=headers)
    emu.run_until(lambda: emu.parties["client:amy"].is_ringing, timeout=60)

    response = client.post("/console/phone/answer", json={}, headers=headers)
    assert response.status_code == 200, response.get_json()
    emu.run_until(lambda: client.get("/api/agents/me").get_json()["state"] == "on_call",
                  timeout=30)
    assert client.get("/api/agents/me").get_json()["call_sid"] == call.sid
    # Answering twice is refused with the emulator's reason, not a crash.
    again = client.post("/console/phone/answer", json={}, headers=headers)
    assert again.status_code == 409
    assert again.get_json()["error"]["id"] == "softphone_refused"

    assert client.post("/console/phone/hangup", json={}, headers=headers).status_code == 200
    emu.run_until(lambda: client.get("/api/agents/me").get_json()["state"] == "wrap_up",
                  timeout=30)


def test_the_dial_box_calls_a_customer_through_the_twiml_app(app, client, floor_with_amy):
    emu = floor_with_amy
    emu.add_application(PUBLIC_BASE_URL + "/softphone/outgoing",
                        sid=app.config["TWILIO_TWIML_APP_SID"])
    sign_in(client)
    headers = {"X-CSRF-Token": page_csrf(client.get("/console"))}
    assert client.post("/console/phone/register", headers=headers).status_code == 200
    assert 'data-testid="dial-box"' in client.get("/console").get_data(as_text=True)
    customer = emu.phone(JORDAN, answer_after=2)
    response = client.post("/console/phone/call", json={"to": JORDAN}, headers=headers)
    assert response.status_code == 200, response.get_json()
    emu.run_until(lambda: customer.call is not None and customer.call.answered_at, timeout=10)
    leg = customer.call
    assert leg.from_ == app.config["TWILIO_PHONE_NUMBER"]
    assert client.post("/console/phone/hangup", json={}, headers=headers).status_code == 200
    emu.run_until(lambda: leg.ended, timeout=5)
    empty = client.post("/console/phone/call", json={"to": " "}, headers=headers)
    assert empty.status_code == 400 and empty.get_json()["error"]["id"] == "invalid_input"


def test_an_unreachable_emulator_is_a_clear_error(app, amy_browser):
    client, token = amy_browser
    app.config["TWILIO_API_BASE_URL"] = "http://127.0.0.1:9"  # nothing listens there
    response = client.post("/console/phone/register", headers={"X-CSRF-Token": token})
    assert response.status_code == 502
    assert response.get_json()["error"]["id"] == "emulator_unavailable"


def test_a_last_event_id_that_is_not_one_starts_from_now(amy_browser):
    client, _ = amy_browser
    for garbage in ("voicemail", "1-", "-1", "1-2-3", "99999999999999999999999-0"):
        response = client.get("/console/events", headers={"Last-Event-ID": garbage},
                              buffered=False)
        chunks = (chunk.decode() for chunk in response.response)
        assert next(chunks).startswith("retry:")
        assert next(chunks).startswith("event: hello")
        # The stream reads on (here: the emulator is not running), rather than failing.
        assert next(chunks).startswith("event: phone")
        response.close()
