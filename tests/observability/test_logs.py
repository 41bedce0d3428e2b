"""Structured logs: the call SID on every line of a webhook or job, secrets and numbers out."""

from __future__ import annotations

import logging

import pytest

from app.observability.context import job_context
from app.observability.redact import mask_phone_numbers, redact_secrets
from tests.conftest import AUTH_TOKEN, call_params

SID = "CA" + "1" * 32
CALLER = "+919876543210"


@pytest.mark.parametrize(("raw", "masked"), [
    ("from +919876543210", "from +9198•••••210"),
    ("to +14155550100.", "to +1415••••100."),
    ("phone=%2B14155550100&x=1", "phone=%2B1415••••100&x=1"),
    ("From=9876543210", "From=9876•••210"),
    ('{"phone": "+60123456789"}', '{"phone": "+6012••••789"}'),
    ("call +1 415 555 0100 now", "call +1415••••100 now"),
    ("CallSid=CA" + "9" * 32 + " at 1763894359.25", "CallSid=CA" + "9" * 32 + " at 1763894359.25"),
])
def test_phone_numbers_are_masked_but_ids_and_times_are_not(raw, masked):
    assert mask_phone_numbers(raw) == masked


@pytest.mark.parametrize(("raw", "kept", "gone"), [
    ("Authorization: Bearer s3cr3t-agent-token", "Authorization", "s3cr3t-agent-token"),
    ('{"identity": "amy", "password": "correct horse"}', '"identity": "amy"', "correct"),
    ("GET /x?token=abcdef123&y=2", "y=2", "abcdef123"),
    ("the token expired for amy", "the token expired for amy", "[redacted]"),
])
def test_secrets_are_redacted(raw, kept, gone):
    out = redact_secrets(raw)
    assert kept in out
    assert gone not in out


def test_a_failing_webhook_logs_one_json_line_with_its_call_sid_and_no_number(
        app, signed_post, json_logs, monkeypatch):
    def broken(self, call):
        raise RuntimeError(f"customer lookup failed for {call.from_number}")

    monkeypatch.setattr("app.ivr.flow.CallFlow.incoming", broken)
    response = signed_post("/ivr/incoming", call_params(CallSid=SID, From=CALLER))

    assert response.status_code == 200  # the safe fallback, not an error
    failures = [e for e in json_logs.entries() if e["level"] == "ERROR"]
    assert failures, json_logs.text
    for entry in failures:
        assert entry["call_sid"] == SID
        assert entry["route"] == "ivr.incoming"
        assert "Traceback" in entry["exc"]
    assert CALLER not in json_logs.text
    assert "+9198•••••210" in json_logs.text  # masked, still there to tell callers apart


def test_every_line_logged_during_a_webhook_carries_its_call_sid(
        app, signed_post, json_logs, monkeypatch):
    said = logging.getLogger("app.ivr.flow")
    original = __import__("app.ivr.flow", fromlist=["CallFlow"]).CallFlow.incoming

    def chatty(self, call):
        said.info("greeting %s", call.from_number)
        logging.getLogger("somewhere.else").warning("a library complains")
        return original(self, call)

    monkeypatch.setattr("app.ivr.flow.CallFlow.incoming", chatty)
    assert signed_post("/ivr/incoming", call_params(CallSid=SID, From=CALLER)).status_code == 200
    lines = [e for e in json_logs.entries()
             if e["message"] in ("greeting +9198•••••210", "a library complains")]
    assert len(lines) == 2
    assert {e["call_sid"] for e in lines} == {SID}


def test_a_rejected_webhook_is_logged_with_its_call_sid_and_without_the_token(
        app, client, json_logs):
    response = client.post("/ivr/incoming", data=call_params(CallSid=SID),
                           headers={"X-Twilio-Signature": "forged"})
    assert response.status_code == 403
    [entry] = [e for e in json_logs.entries() if "rejected webhook" in e["message"]]
    assert entry["call_sid"] == SID
    assert AUTH_TOKEN not in json_logs.text


def test_api_lines_carry_the_call_sid_of_the_url(app, client, json_logs):
    with app.test_request_context(f"/api/calls/{SID}/context"):
        app.preprocess_request()
        logging.getLogger("app.calls").info("looking at the call")
    [entry] = [e for e in json_logs.entries() if e["message"] == "looking at the call"]
    assert entry["call_sid"] == SID


def test_job_lines_carry_the_job_and_its_call(app, json_logs):
    with job_context("job-42", SID):
        logging.getLogger("app.voicemail.jobs").warning("retrying the recording of %s", CALLER)
    logging.getLogger("app.voicemail.jobs").warning("outside any job")
    inside, outside = [e for e in json_logs.entries() if e["logger"] == "app.voicemail.jobs"]
    assert (inside["job_id"], inside["call_sid"]) == ("job-42", SID)
    assert CALLER not in inside["message"]
    assert (outside["job_id"], outside["call_sid"]) == ("-", "-")


def test_rq_job_lines_carry_the_call_sid_among_its_arguments(app, json_logs):
    from rq import Queue, SimpleWorker

    from app.extensions import redis_connections  # noqa: F401  (the bytes connection)

    connection = app.extensions["redis_bytes"]
    queue = Queue("observability-test", connection=connection)
    job = queue.enqueue("tests.observability.jobs.log_for_call", SID)
    SimpleWorker([queue], connection=connection).work(burst=True)
    [entry] = [e for e in json_logs.entries() if e["message"] == "working on the call"]
    assert entry["job_id"] == job.id
    assert entry["call_sid"] == SID


def test_settings_secrets_never_reach_the_log(app, json_logs):
    config = app.config
    logging.getLogger("app.telephony").error(
        "twilio said no: token=%s secret %s admin %s", config["TWILIO_AUTH_TOKEN"],
        config["TWILIO_API_SECRET"], config["ADMIN_API_TOKEN"])
    text = json_logs.text
    for name in ("TWILIO_AUTH_TOKEN", "TWILIO_API_SECRET", "ADMIN_API_TOKEN"):
        assert config[name] not in text
    assert "[redacted]" in text


def test_sign_in_and_bearer_use_leave_no_password_or_token_in_the_log(app, client, json_logs):
    from app.agents import services as agents
    from app.extensions import db

    with app.app_context():
        agents.create_agent("Amy", "amy", departments=[], password="correct horse battery")
        db.session.commit()
    answer = client.post("/api/agents/login",
                         json={"identity": "amy", "password": "correct horse battery"})
    token = answer.get_json()["token"]
    client.get("/api/agents/me", headers={"Authorization": f"Bearer {token}"})
    client.post("/api/agents/login", json={"identity": "amy", "password": "wrong password!"})
    # Whatever the app logged about it (werkzeug, warnings, errors) holds neither.
    logging.getLogger("werkzeug").info('"POST /api/agents/login" Authorization: Bearer %s', token)
    assert "correct horse battery" not in json_logs.text
    assert token not in json_logs.text


def test_text_format_is_the_default_and_carries_the_call_sid(app, signed_post, monkeypatch,
                                                             capsys):
    from app.observability.logs import configure_logging

    configure_logging(app)  # text, to stderr
    monkeypatch.setattr("app.ivr.flow.CallFlow.incoming",
                        lambda self, call: (_ for _ in ()).throw(RuntimeError("boom")))
    signed_post("/ivr/incoming", call_params(CallSid=SID))
    err = capsys.readouterr().err
    assert f"[{SID}]: webhook /ivr/incoming failed" in err


def test_what_the_sender_put_in_callsid_cannot_leak_a_number_or_forge_a_line(
        app, signed_post, json_logs, monkeypatch):
    from app.observability.logs import configure_logging

    monkeypatch.setattr("app.ivr.flow.CallFlow.incoming",
                        lambda self, call: (_ for _ in ()).throw(RuntimeError("down")))
    forged = "+919876543210\n2026-01-01 INFO app: all is well"
    signed_post("/ivr/incoming", call_params(CallSid=forged, From="x\ny"))
    [entry] = [e for e in json_logs.entries() if e["level"] == "ERROR"]
    assert CALLER not in entry["call_sid"] and "\n" not in entry["call_sid"]
    assert entry["call_sid"].startswith("+9198•")

    import io

    stream = io.StringIO()
    configure_logging(app, stream=stream)  # text
    signed_post("/ivr/incoming", call_params(CallSid=forged))
    lines = stream.getvalue().splitlines()
    assert not [line for line in lines if line.startswith("2026-01-01 INFO app: all is well")]
    assert CALLER not in stream.getvalue()
