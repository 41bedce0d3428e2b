"""Departments, hours, holidays and the escalation ladder, edited from the pages."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.floor import departments
from app.floor.models import Department
from tests.admin.helpers import post_form, text

OPEN_WEEKDAYS = {f"hours-{d}": "09:00-17:00" for d in ("mon", "tue", "wed", "thu", "fri")}


def department(app, slug: str = "billing") -> Department:
    with app.app_context():
        row = db.session.query(Department).filter_by(slug=slug).one()
        db.session.expunge(row)
        return row


def test_a_new_department_joins_the_menu(app, supervisor):
    page = post_form(supervisor, "/admin/departments",
                     {"name": "Returns", "slug": "returns", "menu_key": "4",
                      "timezone": "Asia/Kolkata"})
    assert "Department returns created" in text(page)
    with app.app_context():
        assert [d.slug for d in departments.active_departments()] == ["billing", "returns"]


def test_a_taken_menu_key_is_refused_with_its_owner(supervisor):
    page = post_form(supervisor, "/admin/departments",
                     {"name": "Sales", "slug": "sales", "menu_key": "1", "timezone": "UTC"})
    assert "Menu key 1 already belongs to billing." in text(page)


def test_hours_are_saved_per_day_and_bad_ones_explained(app, supervisor):
    page = post_form(supervisor, "/admin/departments/billing",
                     {"name": "Billing", "menu_key": "1", "timezone": "Asia/Kolkata",
                      "active": "1", **OPEN_WEEKDAYS, "hours-sat": "10:00-12:30, 13:30-15:00"})
    assert "Billing saved." in text(page)
    saved = department(app)
    assert saved.hours["mon"] == [["09:00", "17:00"]]
    assert saved.hours["sat"] == [["10:00", "12:30"], ["13:30", "15:00"]]
    assert saved.hours["sun"] == []
    assert 'value="10:00-12:30, 13:30-15:00"' in text(page)

    page = post_form(supervisor, "/admin/departments/billing",
                     {"name": "Billing", "menu_key": "1", "timezone": "Asia/Kolkata",
                      "active": "1", "hours-mon": "17:00-09:00"})
    assert "mon: 17:00-09:00 must start before it ends" in text(page)
    assert department(app).hours["mon"] == [["09:00", "17:00"]]  # unchanged

    post_form(supervisor, "/admin/departments/billing",
              {"name": "Billing", "menu_key": "1", "timezone": "Asia/Kolkata", "active": "1",
               "always_open": "1"})
    assert department(app).hours == {}


def test_holidays_are_added_and_removed(app, supervisor):
    page = post_form(supervisor, "/admin/departments/billing/holidays",
                     {"day": "2026-12-25", "name": "Christmas"})
    assert "Billing is closed on 2026-12-25." in text(page) and "Christmas" in text(page)
    page = post_form(supervisor, "/admin/departments/billing/holidays/2026-12-25/delete", {})
    assert "opens as usual on 2026-12-25" in text(page)
    with app.app_context():
        assert departments.get("billing").holidays == []


def ladder_form(*steps: tuple, overflow: list[str] | None = None) -> dict:
    form: dict = {"overflow": overflow or []}
    for index, step in enumerate(steps):
        at, action, *extra = step
        form[f"step-{index}-at"] = str(at)
        form[f"step-{index}-action"] = action
        if action == "raise_priority" and extra:
            form[f"step-{index}-by"] = str(extra[0])
        if action == "widen" and extra:
            form[f"step-{index}-departments"] = extra[0]
    return form


@pytest.fixture
def support(app, people):
    with app.app_context():
        db.session.add(Department(slug="support", name="Support", menu_key="2", settings={}))
        db.session.commit()


def test_a_valid_ladder_is_stored_and_used_for_the_next_callers(app, supervisor, support):
    page = post_form(supervisor, "/admin/departments/billing/ladder", ladder_form(
        (0, "announce"), (15, "raise_priority", 3), (25, "widen", ["support"]), (35, "alert"),
        (40, "offer")))
    assert "ladder saved. Callers who join the queue from now on wait on it." in text(page)
    with app.app_context():
        view = next(d for d in departments.active_departments() if d.slug == "billing")
    assert view.settings["ladder"] == [
        {"at": 0, "action": "announce"}, {"at": 15, "action": "raise_priority", "by": 3},
        {"at": 25, "action": "widen", "departments": ["support"]}, {"at": 35, "action": "alert"},
        {"at": 40, "action": "offer"}]
    assert "custom" in text(page)


def test_a_ladder_without_an_offer_is_refused_and_shown_as_typed(app, supervisor, support):
    response = post_form(supervisor, "/admin/departments/billing/ladder",
                         ladder_form((0, "announce"), (30, "alert")), follow=False)
    assert response.status_code == 400
    page = text(response)
    assert "needs an &#39;offer&#39; step before 60 s" in page
    assert "could wait a whole minute with no way out" in page
    assert 'name="step-1-at" value="30"' in page  # what was typed, to fix
    assert "ladder" not in (department(app).settings or {})


def test_a_step_at_the_minute_is_refused_with_its_row(supervisor, support):
    response = post_form(supervisor, "/admin/departments/billing/ladder",
                         ladder_form((0, "announce"), (60, "offer")), follow=False)
    assert response.status_code == 400
    assert "Step 2: Every step must fall before 60 s of waiting." in text(response)


def test_back_to_the_default_ladder(app, supervisor, support):
    post_form(supervisor, "/admin/departments/billing/ladder",
              ladder_form((0, "announce"), (40, "offer")))
    post_form(supervisor, "/admin/departments/billing/ladder", {"use_default": "1"})
    assert "ladder" not in department(app).settings
