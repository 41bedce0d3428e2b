"""Overdue callbacks escalate to supervisors; expired recordings are deleted; business time."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from app.extensions import db
from app.queue import queue_services
from app.voicemail import jobs
from app.voicemail.hours import add_business_minutes
from app.voicemail.models import Callback, Voicemail
from tests.voicemail.conftest import join_queue, press_at_offer, sid
from tests.voicemail.test_api import message_in


def alerts(app) -> list[dict]:
    with app.app_context():
        store = queue_services().store
        entries = store.redis.xrange(store.keys.events)
    return [{"type": f["type"], **json.loads(f["detail"])} for _, f in entries
            if f["type"].startswith("alert.")]


def test_overdue_callbacks_alert_supervisors_and_rise(app, frozen, client, people):
    callback = message_in(app, "billing", 1)  # due 10:15
    with app.app_context():
        frozen.move_to("2026-11-25 10:14:00")
        assert jobs.check_overdue_callbacks() == 0
        frozen.move_to("2026-11-25 10:16:00")
        assert jobs.check_overdue_callbacks() == 1
        assert jobs.check_overdue_callbacks() == 0  # alerted once, not every pass
    [alert] = alerts(app)
    assert alert["type"] == "alert.callback_overdue"
    assert (alert["callback_id"], alert["box"], alert["priority"]) == (callback, "billing", 1)
    assert alert["overdue_minutes"] == 1.0
    listed = client.get("/api/callbacks", headers=people["sue"]).get_json()
    assert listed["overdue"] == 1 and listed["callbacks"][0]["priority"] == 1
    with app.app_context():
        frozen.move_to("2026-11-25 10:46:00")  # CALLBACK_REALERT_MINUTES later: again, higher
        assert jobs.check_overdue_callbacks() == 1
        row = db.session.get(Callback, callback)
        assert (row.priority, row.escalations) == (2, 2)
        assert [e.action for e in row.events].count("escalated") == 2
    assert len(alerts(app)) == 2


def test_cleared_callbacks_never_escalate(app, frozen, client, people):
    callback = message_in(app, "billing", 1)
    client.post(f"/api/callbacks/{callback}/clear", headers=people["amy"],
                json={"outcome": "reached"})
    frozen.move_to("2026-11-26 10:00:00")
    with app.app_context():
        assert jobs.check_overdue_callbacks() == 0
    assert alerts(app) == []


def test_an_overdue_requested_callback_moves_up_the_queue(app, frozen, signed_post, departments):
    join_queue(app, sid(1))
    press_at_offer(signed_post, sid(1), "3")
    join_queue(app, sid(2))
    with app.app_context():
        queue_services().store.unpark(sid(2))
        queue_services().store.rescore(sid(2), 1)  # a later caller raised past the callback
        assert queue_services().store.waiting("billing") == [sid(2), sid(1)]
        frozen.move_to("2026-11-25 10:16:00")
        assert jobs.check_overdue_callbacks() == 1
        store = queue_services().store
        assert store.call(sid(1))["priority"] == "1"
        assert store.waiting("billing") == [sid(1), sid(2)]  # same band, waited longer


def test_retention_deletes_expired_recordings_from_twilio_and_from_us(app, frozen, departments,
                                                                      fake_gateway, client):
    old = message_in(app, "billing", 1, transcript="My card number is 4111...")
    frozen.move_to("2026-12-20 10:00:00")
    fresh = message_in(app, "billing", 2)
    frozen.move_to("2027-02-24 10:00:01")  # 91 days after the first: past VOICEMAIL_RETENTION_DAYS
    with app.app_context():
        assert jobs.purge_expired_recordings() == 1
        assert jobs.purge_expired_recordings() == 0
    assert fake_gateway.deleted == [sid(1, "RE")]
    with app.app_context():
        message = db.session.get(Callback, old).message
        assert message.recording_url == "" and message.transcription_text is None
        assert message.recording_deleted_at is not None
        assert db.session.get(Callback, old).events[-1].action == "recording_deleted"
        assert db.session.get(Callback, fresh).message.recording_url != ""


def test_retention_tolerates_gone_recordings_and_retries_failures(app, frozen, departments,
                                                                  fake_gateway):
    gone, failing = message_in(app, "billing", 1), message_in(app, "billing", 2)
    fake_gateway.missing.add(sid(1, "RE"))
    fake_gateway.broken.add(sid(2, "RE"))
    frozen.move_to("2027-03-01 00:00:00")
    with app.app_context():
        assert jobs.purge_expired_recordings() == 1
        assert db.session.get(Callback, gone).message.recording_deleted_at is not None
        assert db.session.get(Callback, failing).message.recording_deleted_at is None
        fake_gateway.broken.clear()
        assert jobs.purge_expired_recordings() == 1
        assert db.session.query(Voicemail).filter(
            Voicemail.recording_deleted_at.is_(None)).count() == 0


def test_the_cli_runs_the_checks(app, frozen, departments, fake_gateway):
    message_in(app, "billing", 1)
    frozen.move_to("2026-11-25 11:00:00")
    result = app.test_cli_runner().invoke(args=["voicemail", "check"])
    assert result.exit_code == 0, result.output
    assert "escalated 1" in result.output
    result = app.test_cli_runner().invoke(args=["voicemail", "boxes", "--open"])
    assert "general" in result.output and "billing" in result.output


HOURS = {"mon": [["09:00", "17:00"]], "tue": [["09:00", "12:00"], ["13:00", "17:00"]]}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_business_minutes_skip_closed_time_lunch_and_holidays():
    monday = at("2026-11-23 16:50")
    assert add_business_minutes(monday, 15, hours=HOURS) == at("2026-11-24 09:05")
    assert add_business_minutes(at("2026-11-24 11:55"), 15, hours=HOURS) == at(
        "2026-11-24 13:10")
    assert add_business_minutes(monday, 15, hours=HOURS, holidays={date(2026, 11, 24)}) == at(
        "2026-11-30 09:05")
    assert add_business_minutes(at("2026-11-22 03:00"), 5, hours=HOURS) == at("2026-11-23 09:05")


def test_business_minutes_in_the_departments_time_zone():
    # 09:00 in Kolkata is 03:30 UTC.
    due = add_business_minutes(at("2026-11-23 01:00"), 15, hours=HOURS, timezone="Asia/Kolkata")
    assert due == at("2026-11-23 03:45")


def test_no_hours_means_always_open():
    assert add_business_minutes(at("2026-11-22 03:00"), 15, hours={}) == at("2026-11-22 03:15")
    assert add_business_minutes(at("2026-11-22 03:00"), 15, hours=None) == at("2026-11-22 03:15")


