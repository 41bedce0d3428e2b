"""The department page's "Missed calls" form (R14): on by default after 20 s; changed, and
refused with the reason, from the page."""

from __future__ import annotations

from app.floor import departments
from tests.admin.helpers import post_form, text
from tests.admin.test_departments import department


def test_the_page_shows_the_default_and_saves_a_change(app, supervisor):
    page = text(supervisor.get("/admin/departments/billing"))
    assert "Missed calls" in page
    assert 'name="missed_call_callbacks" value="1" checked' in page
    assert 'name="missed_call_after_seconds" value="20"' in page
    saved = post_form(supervisor, "/admin/departments/billing/missed-calls",
                      {"missed_call_after_seconds": "35"})  # the box unticked: off
    assert "missed calls saved" in text(saved)
    row = department(app)
    assert row.missed_call_callbacks is False and row.missed_call_after_seconds == 35
    with app.app_context():
        view = next(d for d in departments.active_departments() if d.slug == "billing")
    assert view.missed_call_callbacks is False and view.missed_call_after_seconds == 35


def test_a_wait_that_is_no_number_of_seconds_is_refused(app, supervisor):
    page = post_form(supervisor, "/admin/departments/billing/missed-calls",
                     {"missed_call_callbacks": "1", "missed_call_after_seconds": "soon"})
    assert "missed_call_after_seconds must be a whole number of seconds" in text(page)
    row = department(app)
    assert row.missed_call_callbacks is True and row.missed_call_after_seconds == 20
