"""Today's figures per department, from interaction and callback rows, on a frozen clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time

from app.extensions import db
from app.floor.models import Department
from app.interactions.models import Interaction
from app.voicemail.models import Callback, CallbackEvent, VoicemailBox
from tests.dashboard.conftest import sign_in

# 15:30 in Kolkata; the department's "today" began at 18:30 UTC the day before.
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def at(hour: int, minute: int = 0, day: int = 25) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def call(department: Department, sid: str, queued: datetime, *, wait: float | None,
         answered: bool = False, abandoned: bool = False) -> Interaction:
    row = Interaction(call_sid=sid, department_id=department.id, from_number="+14155550100",
                      to_number="+15005550006", queued_at=queued, abandoned=abandoned,
                      wait_seconds=wait,
                      answered_at=queued + timedelta(seconds=wait or 0) if answered else None)
    db.session.add(row)
    return row


def callback(box: VoicemailBox, created: datetime, *, returned: datetime | None,
             due_after_retry: datetime | None = None) -> Callback:
    promised = created + timedelta(minutes=15)
    row = Callback(kind="voicemail", status="open", box=box, number="+14155550100",
                   due_at=due_after_retry or promised, created_at=created)
    row.events.append(CallbackEvent(action="created", at=created,
                                    detail={"due_at": promised.isoformat()}))
    if returned is not None:
        row.events.append(CallbackEvent(action="call_started", at=returned, detail={}))
    db.session.add(row)
    return row


@pytest.fixture
def frozen():
    with freeze_time(NOW) as frozen_time:
        yield frozen_time


@pytest.fixture
def browser(frozen, client, people):
    """Sam, signed in at the frozen moment (a session signed days earlier would be stale)."""
    sign_in(client, "sam")
    return client


@pytest.fixture
def day_of_calls(app, people):
    with app.app_context():
        billing = db.session.query(Department).filter_by(slug="billing").one()
        call(billing, "CA-a", at(4), wait=20, answered=True)  # 09:30 local, within 60 s
        call(billing, "CA-b", at(5), wait=75, answered=True)  # answered, but too late
        call(billing, "CA-c", at(6), wait=50, abandoned=True)  # hung up waiting
        call(billing, "CA-d", at(18, day=24), wait=5, answered=True)  # yesterday, locally
        to_voicemail = call(billing, "CA-e", at(7), wait=46, abandoned=True)
        call(billing, "CA-f", at(9, 59), wait=None)  # still waiting
        box = VoicemailBox(slug="billing", kind="department", name="Billing",
                           department_id=billing.id, greetings={})
        db.session.add(box)
        db.session.flush()
        db.session.add(Callback(kind="requested", status="open", box=box, due_at=at(7, 15),
                                created_at=at(7), interaction_id=to_voicemail.id))
        callback(box, at(3), returned=at(3, 10))  # on time
        callback(box, at(4), returned=at(4, 30), due_after_retry=at(5))  # late (promised 4:15)
        callback(box, at(9), returned=None)  # due 9:15, not returned by 10:00: late
        callback(box, at(9, 50), returned=None)  # due 10:05: pending
        db.session.commit()


def test_service_level_abandon_rate_and_waits_per_department(browser, day_of_calls):
    body = browser.get("/supervisor/api/figures").get_json()
    billing = next(d for d in body["departments"] if d["slug"] == "billing")
    calls = billing["calls"]
    assert calls["queued"] == 5  # yesterday's call is not today's
    assert (calls["answered"], calls["abandoned"], calls["to_callback"]) == (2, 1, 1)
    assert calls["service_level"] == pytest.approx(33.3)  # 1 of 3 answered within 60 s
    assert calls["abandon_rate"] == pytest.approx(33.3)
    assert calls["average_wait"] == pytest.approx((20 + 75 + 50) / 3, abs=0.05)
    assert calls["longest_wait"] == 75
    hours = {h["hour"]: h for h in calls["hours"]}
    assert len(calls["hours"]) == 16  # 00:00 to 15:00, local
    assert hours[9]["average"] == 20 and hours[10]["longest"] == 75 and hours[11]["calls"] == 1
    assert hours[12]["calls"] == 0  # the caller who left a message is not a wait


def test_callbacks_returned_on_time_against_the_time_first_promised(browser, day_of_calls):
    body = browser.get("/supervisor/api/figures").get_json()
    callbacks = next(d for d in body["departments"] if d["slug"] == "billing")["callbacks"]
    assert callbacks["opened"] == 5
    assert (callbacks["on_time"], callbacks["late"], callbacks["pending"]) == (1, 3, 1)
    assert callbacks["on_time_rate"] == 25.0


def test_the_page_shows_the_figures_and_the_chart(browser, day_of_calls):
    html = browser.get("/supervisor").get_data(as_text=True)
    assert "33%" in html  # service level and abandon rate
    assert "75 s" in html  # the longest wait
    assert 'class="bar over"' in html  # 10:00's average wait was over the minute
    assert "<title>10:00 · 1 callers · average 75 s · longest 75 s</title>" in html
