"""What the app is sent: Twilio's parameters and signatures, fallbacks, and the last resort."""

from __future__ import annotations

import threading
import time

import pytest
from flask import Flask, Response
from twilio.request_validator import RequestValidator
from werkzeug.serving import make_server

from sim import Emulator, HttpTransport, VirtualClock
from sim.signing import sign
from sim.testing import emulator_for
from sim.webhooks import APPLICATION_ERROR_MESSAGE
from tests.sim.apps import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    BASE,
    CALLER,
    NUMBER,
    hits,
    make_app,
    respond,
)


def test_signature_matches_twilios_documented_example():
    params = {"CallSid": "CA1234567890ABCDE", "Caller": "+12349013030", "Digits": "1234",
              "From": "+12349013030", "To": "+18005551212"}
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert sign("12345", url, params) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    assert RequestValidator("12345").validate(url, params, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")


def test_incoming_call_parameters(sim):
    emu, app = sim({"/ivr/incoming": respond("<Say>hi</Say>")})
    call = emu.dial_in(CALLER, NUMBER, forwarded_from="+15551112222", caller_name="ASHA RAO")
    emu.run_until(lambda: call.ended)
    first = hits(app, "/ivr/incoming")[0]
    assert first.method == "POST"
    assert first.url == f"{BASE}/ivr/incoming"
    assert first.params == {
        "CallSid": call.sid, "AccountSid": ACCOUNT_SID, "From": CALLER, "To": NUMBER,
        "Called": NUMBER, "Caller": CALLER, "CallStatus": "ringing",
        "ApiVersion": "2010-04-01", "Direction": "inbound",
        "ForwardedFrom": "+15551112222", "CallerName": "ASHA RAO",
    }
    assert first.headers["X-Twilio-Signature"] == sign(AUTH_TOKEN, first.url, first.params)


def test_withheld_caller_id_arrives_as_anonymous(sim):
    emu, app = sim({"/ivr/incoming": respond("<Hangup/>")})
    call = emu.dial_in("anonymous", NUMBER)
    emu.run_until(lambda: call.ended)
    assert hits(app, "/ivr/incoming")[0].params["From"] == "anonymous"


def test_number_status_callback_reports_completion(sim):
    emu, app = sim({"/ivr/incoming": respond("<Say>one two three four five</Say>")})
    call = emu.dial_in(CALLER, NUMBER)
    emu.run_until(lambda: call.ended)
    emu.advance(1)
    status = hits(app, "/ivr/status")
    assert len(status) == 1
    assert status[0].params["CallStatus"] == "completed"
    assert status[0].params["CallDuration"] == "2"
    assert status[0].params["CallbackSource"] == "call-progress-events"


@pytest.mark.parametrize("answer,code", [
    (lambda hit: Response("boom", status=500), "11200"),
    (lambda hit: Response("missing", status=404), "11200"),
    (lambda hit: Response("<Respons><Say>typo</Say></Respons>", mimetype="text/xml"), "12100"),
    (lambda hit: Response("<Response><Say>unclosed</Response>", mimetype="text/xml"), "12100"),
    (lambda hit: Response("<Response><Sya>verb</Sya></Response>", mimetype="text/xml"),
     "12100"),
])
def test_failure_requests_the_fallback_with_error_code(sim, answer, code):
    emu, app = sim({"/ivr/incoming": answer,
                    "/ivr/fallback": respond("<Say>Sorry, please hold</Say>")})
    emu.expect_errors = True
    call = emu.dial_in(CALLER, NUMBER)
    emu.run_until(lambda: call.ended)
    fallback = hits(app, "/ivr/fallback")[0]
    assert fallback.params["ErrorCode"] == code
    assert fallback.params["ErrorUrl"] == f"{BASE}/ivr/incoming"
    assert fallback.params["CallSid"] == call.sid
    assert call.says() == ["Sorry, please hold"]
    assert emu.application_errors == []
    assert [e["code"] for e in emu.events if e["type"] == "webhook_error"] == [int(code)]


def test_action_failure_also_uses_the_fallback(sim):
    emu, app = sim({
        "/ivr/incoming": respond("<Gather numDigits='1' action='/menu'/>"),
        "/menu": lambda hit: Response("oops", status=502),
        "/ivr/fallback": respond("<Say>fallback</Say>"),
    })
    emu.expect_errors = True
    call = emu.dial_in(CALLER, NUMBER)
    emu.run_until(lambda: call.gathering)
    call.press("3")
    emu.run_until(lambda: call.ended)
    fb = hits(app, "/ivr/fallback")[0].params
    assert fb["ErrorUrl"] == f"{BASE}/menu" and fb["Digits"] == "3"
    assert call.says() == ["fallback"]


def test_no_usable_fallback_means_the_application_error_message(sim):
    emu, app = sim({"/ivr/incoming": lambda hit: Response("down", status=503),
                    "/ivr/fallback": lambda hit: Response("also down", status=500)})
    emu.expect_errors = True
    call = emu.dial_in(CALLER, NUMBER)
    emu.run_until(lambda: call.ended)
    assert call.says() == [APPLICATION_ERROR_MESSAGE]
    assert call.status == "completed"
    assert [e["call_sid"] for e in emu.application_errors] == [call.sid]


def test_strict_helper_fails_loudly_on_application_error():
    app = make_app({"/ivr/incoming": lambda hit: Response("down", status=500)})
    with pytest.raises(AssertionError, match="application_error"), emulator_for(
            app, public_base_url=BASE, account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN,
            fallback_path=None) as emu:
        call = emu.dial_in(CALLER, NUMBER)
        emu.run_until(lambda: call.ended)


def test_strict_helper_fails_on_a_rescued_webhook_failure_too():
    app = make_app({"/ivr/incoming": lambda hit: Response("down", status=500),
                    "/ivr/fallback": respond("<Say>ok</Say>")})
    with pytest.raises(AssertionError, match="webhook_error"), emulator_for(
            app, public_base_url=BASE, account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN) as emu:
        call = emu.dial_in(CALLER, NUMBER)
        emu.run_until(lambda: call.ended)


def test_an_exception_in_the_app_is_a_500_to_the_emulator(sim):
    def crash(hit):
        raise RuntimeError("bug in handler")

    emu, app = sim({"/ivr/incoming": crash, "/ivr/fallback": respond("<Say>safe</Say>")})
    app.config["PROPAGATE_EXCEPTIONS"] = True
    emu.expect_errors = True
    call = emu.dial_in(CALLER, NUMBER)
    emu.run_until(lambda: call.ended)
    assert call.says() == ["safe"]
    err = next(e for e in emu.events if e["type"] == "webhook")
    assert err["status"] == 500 and "bug in handler" in err["error"]


@pytest.fixture
def slow_server():
    """A real HTTP app whose voice URL answers too slowly; its fallback answers at once."""
    app = Flask("slow")
    seen: list[dict] = []

    @app.post("/ivr/incoming")
    def slow():
        time.sleep(1.0)
        return Response("<Response><Say>too late</Say></Response>", mimetype="text/xml")

    @app.post("/ivr/fallback")
    def fallback():
        from flask import request
        seen.append(request.form.to_dict())
        return Response("<Response><Say>fallback in time</Say></Response>",
                        mimetype="text/xml")

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", seen
    server.shutdown()
    thread.join()


def test_http_timeout_is_an_11200_and_goes_to_the_fallback(slow_server):
    base, seen = slow_server
    emu = Emulator(ACCOUNT_SID, AUTH_TOKEN, clock=VirtualClock(),
                   transport=HttpTransport(connect_timeout=1, total_timeout=0.3))
    emu.add_number(NUMBER, f"{base}/ivr/incoming", fallback_url=f"{base}/ivr/fallback")
    call = emu.dial_in(CALLER, NUMBER)
    emu.run_until(lambda: call.ended)
    assert call.says() == ["fallback in time"]
    assert seen[0]["ErrorCode"] == "11200"
    err = next(e for e in emu.events if e["type"] == "webhook_error")
    assert "Timeout" in err["reason"] or "timed out" in err["reason"]
    emu.stop()
