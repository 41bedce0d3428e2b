"""Messages: the <Record>, its callbacks in any order and any number of times, short calls."""

from __future__ import annotations

import redis
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from app.extensions import db
from app.voicemail import inbox, jobs, services
from app.voicemail.models import Callback, Voicemail
from tests.conftest import call_params, parse_twiml
from tests.voicemail.conftest import (
    join_queue,
    path_of,
    press_at_offer,
    query,
    recording_params,
    sid,
    transcription_params,
)

CALL = sid(1)
REC = sid(1, "RE")


def _leave_message(app, signed_post, language="en"):
    join_queue(app, CALL, language=language)
    root = press_at_offer(signed_post, CALL, "2")
    record = root.find("Record")
    assert record is not None, "key 2 must take a message"
    return root, record


def _only_callback(app) -> Callback:
    with app.app_context():
        rows = db.session.scalars(select(Callback)).all()
        assert len(rows) == 1
        return rows[0]


def test_key_2_greets_and_records_with_every_callback(app, signed_post, departments):
    root, record = _leave_message(app, signed_post)
    greeting = root.find("Say")
    assert "You have reached Billing" in greeting.text
    assert "after the tone" in greeting.text
    assert greeting.get("language") == "en-US"
    assert record.get("playBeep") == "true"
    assert record.get("finishOnKey") == "#"
    assert record.get("maxLength") == "120"
    assert record.get("transcribe") == "true"
    assert path_of(record.get("recordingStatusCallback")).startswith("/voicemail/recording-status")
    assert path_of(record.get("transcribeCallback")).startswith("/voicemail/transcription")
    assert query(record.get("action")) == {"box": "billing", "lang": "en", "call": CALL}
    with app.app_context():
        from app.queue import queue_services

        assert queue_services().store.call(CALL)["state"] == "ended"  # out of line for good
    callback = _only_callback(app)
    assert (callback.kind, callback.status, callback.number) == ("missed_call", "open",
                                                                 "+14155550100")


def test_a_full_message_with_its_transcription(app, signed_post, departments):
    _, record = _leave_message(app, signed_post)
    status = signed_post(path_of(record.get("recordingStatusCallback")),
                         recording_params(CALL, REC, duration=14))
    assert status.status_code == 200
    after_beep = parse_twiml(signed_post(path_of(record.get("action")),
                                         call_params(CallSid=CALL, RecordingDuration="14",
                                                     Digits="#")))
    assert "Your message has been saved" in after_beep.find("Say").text
    assert after_beep[-1].tag == "Hangup"
    signed_post(path_of(record.get("transcribeCallback")),
                transcription_params(CALL, REC, "Hi, my invoice is wrong, please call me."))
    with app.app_context():
        callback = db.session.scalars(select(Callback)).one()
        assert callback.kind == "voicemail"
        assert callback.message.duration_seconds == 14
        assert callback.message.transcription_status == "completed"
        assert callback.message.transcription_text.startswith("Hi, my invoice")
        assert [e.action for e in callback.events] == ["created", "kind_changed",
                                                        "message_recorded"]


def test_callbacks_duplicated_and_out_of_order_store_one_message(app, signed_post, departments):
    _, record = _leave_message(app, signed_post)
    status_path = path_of(record.get("recordingStatusCallback"))
    text_path = path_of(record.get("transcribeCallback"))
    text = transcription_params(CALL, REC, "Please call me back about my refund.")
    # The transcription overtakes the recording; then Twilio retries both.
    for path, params in ((text_path, text), (status_path, recording_params(CALL, REC)),
                         (text_path, text), (status_path, recording_params(CALL, REC))):
        assert signed_post(path, params).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Voicemail)) == 1
        callback = db.session.scalars(select(Callback)).one()
        assert callback.message.duration_seconds == 12
        assert callback.message.transcription_text == "Please call me back about my refund."
        assert [e.action for e in callback.events].count("message_recorded") == 1


def test_a_message_without_transcription_is_complete(app, signed_post, departments, people,
                                                     client):
    _, record = _leave_message(app, signed_post)
    signed_post(path_of(record.get("recordingStatusCallback")), recording_params(CALL, REC))
    listed = client.get("/api/callbacks", headers=people["amy"]).get_json()["callbacks"]
    assert len(listed) == 1
    message = listed[0]["message"]
    assert listed[0]["kind"] == "voicemail"
    assert message["recording"] == f"/api/callbacks/{listed[0]['id']}/recording"
    assert message["transcription"] == {"status": "pending", "text": None}
    # A failed transcription changes nothing but its status.
    signed_post(path_of(record.get("transcribeCallback")),
                transcription_params(CALL, REC, "", status="failed"))
    listed = client.get("/api/callbacks", headers=people["amy"]).get_json()["callbacks"]
    assert listed[0]["message"]["transcription"]["status"] == "failed"
    assert listed[0]["message"]["recording"] is not None


def test_hindi_callers_are_greeted_in_hindi_and_not_sent_to_transcription(app, signed_post,
                                                                          departments):
    root, record = _leave_message(app, signed_post, language="hi")
    assert root.find("Say").get("language") == "hi-IN"
    assert "बीप" in root.find("Say").text
    assert record.get("transcribe") is None and record.get("transcribeCallback") is None
    signed_post(path_of(record.get("recordingStatusCallback")), recording_params(CALL, REC))
    with app.app_context():
        message = db.session.scalars(select(Voicemail)).one()
        assert message.transcription_status == "not_requested"


def test_hanging_up_before_the_beep_leaves_a_callback_but_no_message(app, signed_post,
                                                                     departments):
    _, record = _leave_message(app, signed_post)
    # The caller hung up during the greeting: Twilio never records, never calls back.
    with app.app_context():
        callback = db.session.scalars(select(Callback)).one()
        assert callback.kind == "missed_call" and callback.message is None
        assert callback.number == "+14155550100"
        assert [e.action for e in callback.events] == ["created"]


def test_a_recording_below_the_minimum_is_not_a_message(app, signed_post, departments):
    _, record = _leave_message(app, signed_post)
    for _ in range(2):  # retried: still one audit line
        signed_post(path_of(record.get("recordingStatusCallback")),
                    recording_params(CALL, REC, duration=1))
    after_beep = parse_twiml(signed_post(path_of(record.get("action")),
                                         call_params(CallSid=CALL, RecordingDuration="1",
                                                     Digits="hangup")))
    assert "will call you back" in after_beep.find("Say").text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Voicemail)) == 0
        callback = db.session.scalars(select(Callback)).one()
        assert callback.kind == "missed_call"
        assert [e.action for e in callback.events] == ["created", "no_message"]


def test_an_absent_recording_keeps_the_missed_call(app, signed_post, departments):
    _, record = _leave_message(app, signed_post)
    params = recording_params(CALL, REC, duration=0, status="absent")
    assert signed_post(path_of(record.get("recordingStatusCallback")), params).status_code == 200
    assert _only_callback(app).kind == "missed_call"


def test_message_callbacks_ask_twilio_to_retry_server_errors(app, signed_post, departments):
    # Twilio retries a 5xx only when the URL's connection overrides say so (#rp=5xx).
    _, record = _leave_message(app, signed_post)
    for name in ("recordingStatusCallback", "transcribeCallback"):
        assert record.get(name).endswith("#rc=3&rp=ct,5xx"), record.get(name)
    assert "#" not in record.get("action")  # the caller's own path: no retries wanted


def _database_down(monkeypatch):
    def down(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(services, "recording_finished", down)


def test_a_database_failure_keeps_the_callback_and_the_sweep_stores_it(
        app, signed_post, departments, monkeypatch, frozen):
    # A 500 would not be retried by Twilio: the callback is kept in Redis, answered 200.
    _, record = _leave_message(app, signed_post)
    path = path_of(record.get("recordingStatusCallback"))
    real = services.recording_finished
    _database_down(monkeypatch)
    kept = signed_post(path, recording_params(CALL, REC))
    assert kept.status_code == 200
    monkeypatch.setattr(services, "recording_finished", real)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Voicemail)) == 0
        assert jobs.periodic()["replayed"] == 0  # too fresh: its request may still run
        frozen.tick(inbox.REPLAY_AFTER_SECONDS)
        assert jobs.periodic()["replayed"] == 1
        assert db.session.scalar(select(func.count()).select_from(Voicemail)) == 1
        assert inbox.pending() == {}
        assert jobs.periodic()["replayed"] == 0


def test_a_callback_that_still_fails_stays_kept(app, signed_post, departments, monkeypatch,
                                                frozen):
    _, record = _leave_message(app, signed_post)
    _database_down(monkeypatch)
    assert signed_post(path_of(record.get("recordingStatusCallback")),
                       recording_params(CALL, REC)).status_code == 200
    frozen.tick(inbox.REPLAY_AFTER_SECONDS)
    with app.app_context():
        assert jobs.periodic()["replayed"] == 0
        assert len(inbox.pending()) == 1


def test_with_redis_down_too_the_answer_is_500_for_twilios_retry(app, signed_post, departments,
                                                                  monkeypatch):
    _, record = _leave_message(app, signed_post)
    path = path_of(record.get("recordingStatusCallback"))
    _database_down(monkeypatch)
    app.extensions["redis"] = redis.Redis(host="127.0.0.1", port=1, decode_responses=True,
                                          socket_connect_timeout=0.2, socket_timeout=0.2)
    failed = signed_post(path, recording_params(CALL, REC))
    assert failed.status_code == 500
    assert b"Response" not in failed.data  # no TwiML: nobody is listening


def test_unsigned_callbacks_are_refused(app, signed_post, departments):
    _, record = _leave_message(app, signed_post)
    response = signed_post(path_of(record.get("recordingStatusCallback")),
                           recording_params(CALL, REC), signature="forged")
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Voicemail)) == 0


def test_a_forged_language_in_the_callback_url_still_stores_the_message(app, signed_post,
                                                                         departments):
    """Found by the webhook fuzz on PostgreSQL: an unknown `lang` overflowed the column."""
    _, record = _leave_message(app, signed_post)
    path = path_of(record.get("recordingStatusCallback"))
    forged = path.replace("lang=en", "lang=" + "x" * 40)
    assert forged != path
    assert signed_post(forged, recording_params(CALL, REC)).status_code == 200
    assert _only_callback(app).language == "en"
