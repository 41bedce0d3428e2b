"""The incoming-call webhook's fast path (app/ivr/fastpath.py: plain INSERTs, no SELECT for the
row, the caller's look-up on its own connection) writes exactly what the ORM path wrote, and a
retried or duplicated first webhook, or a broken look-up connection, still greets the caller."""

from __future__ import annotations

from datetime import UTC, datetime

from freezegun import freeze_time
from sqlalchemy import select

from app.customers import services as customers
from app.extensions import db
from app.floor import cache
from app.floor.models import Department
from app.interactions.models import Interaction
from app.ivr import fastpath
from tests.conftest import call_params, parse_twiml
from tests.ivr.conftest import ASHA, OPEN_HOURS, assert_queued, events, interaction, spoken

STRANGER = "+14155550123"


@freeze_time(OPEN_HOURS)
def test_known_caller_row_and_timeline(app, demo, phone):
    call = phone(ASHA)
    call.dial()
    row = interaction(app, call.params["CallSid"])
    assert row.from_number == ASHA and row.to_number == "+15005550006"
    assert row.direction == "inbound" and row.status == "in-progress"
    assert row.started_at.replace(tzinfo=UTC) == datetime(2026, 11, 25, 5, 0, tzinfo=UTC)
    assert row.customer_id is not None and row.language == "hi"
    assert row.department_id is None and row.abandoned is False
    assert events(row) == [
        ("greeted", {"language": "hi", "known": True, "caller": "number"}),
        ("identified", {"how": "caller_id", "customer_id": row.customer_id}),
    ]
    assert all(e.at.replace(tzinfo=UTC) == datetime(2026, 11, 25, 5, 0, tzinfo=UTC)
               for e in row.events)


@freeze_time(OPEN_HOURS)
def test_unknown_caller_row_and_timeline(app, demo, phone):
    call = phone(STRANGER)
    call.dial()
    row = interaction(app, call.params["CallSid"])
    assert row.customer_id is None and row.language is None
    assert events(row) == [("greeted", {"language": "en", "known": False, "caller": "number"})]


@freeze_time(OPEN_HOURS)
def test_a_retried_first_webhook_greets_again_and_keeps_one_row(app, demo, signed_post):
    params = call_params(From=ASHA, CallSid="CA" + "r" * 32)
    first = spoken(parse_twiml(signed_post("/ivr/incoming", params)))
    again = spoken(parse_twiml(signed_post("/ivr/incoming", params)))
    assert again == first and first[0].text.startswith("नमस्ते Asha")
    with app.app_context():
        rows = db.session.scalars(select(Interaction).where(
            Interaction.call_sid == params["CallSid"])).all()
        assert len(rows) == 1
        # As before the fast path: the retry is recorded on the same row's timeline.
        assert [e.kind for e in rows[0].events] == ["greeted", "identified"] * 2


@freeze_time(OPEN_HOURS)
def test_one_department_hands_off_on_the_first_webhook_with_the_row(app, demo, phone):
    with app.app_context():
        for department in db.session.scalars(select(Department)).all()[1:]:
            department.active = False
        db.session.commit()
        cache.changed()
    call = phone(ASHA)
    assert_queued(call.dial())
    row = interaction(app, call.params["CallSid"])
    assert [kind for kind, _ in events(row)] == [
        "greeted", "identified", "department_chosen", "handed_off", "queued"]
    assert row.department_id is not None


@freeze_time(OPEN_HOURS)
def test_a_retry_after_a_hand_off_does_not_fail(app, demo, signed_post):
    with app.app_context():
        for department in db.session.scalars(select(Department)).all()[1:]:
            department.active = False
        db.session.commit()
        cache.changed()
    params = call_params(From=ASHA, CallSid="CA" + "h" * 32)
    assert_queued(parse_twiml(signed_post("/ivr/incoming", params)))
    assert_queued(parse_twiml(signed_post("/ivr/incoming", params)))
    with app.app_context():
        assert db.session.query(Interaction).filter_by(call_sid=params["CallSid"]).count() == 1


def test_caller_by_phone(app, demo):
    with app.app_context():
        found = customers.caller_by_phone(ASHA)
        assert found is not None
        assert (found.name, found.language) == ("Asha", "hi")
        assert found.id == customers.find_by_phone(ASHA).id
        assert customers.caller_by_phone(STRANGER) is None
        assert customers.caller_by_phone("") is None
        assert customers.caller_by_phone(None) is None


@freeze_time(OPEN_HOURS)
def test_a_broken_lookup_connection_costs_speed_not_the_greeting(app, demo, signed_post):
    """The fast path's own DB-API connection fails: the caller is still found (through the
    session's connection) and greeted by name, and the broken connection is dropped."""
    first = spoken(parse_twiml(signed_post("/ivr/incoming", call_params(From=ASHA))))
    assert first[0].text.startswith("नमस्ते Asha")
    with app.app_context():
        lookups = fastpath._Lookups.of_app()  # this thread's: the test client's requests run here
        assert lookups.connection is not None
        lookups.connection.close()  # what a dropped server connection looks like to the driver
        broken = lookups.connection
    again = spoken(parse_twiml(signed_post("/ivr/incoming", call_params(From=ASHA))))
    assert again[0].text.startswith("नमस्ते Asha")
    with app.app_context():
        assert fastpath._Lookups.of_app().connection is not broken
