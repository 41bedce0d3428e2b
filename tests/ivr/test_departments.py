"""Departments as data: the API and CLI, their validation, and the seed."""

from __future__ import annotations

import pytest
from freezegun import freeze_time

from tests.ivr.conftest import ADMIN, OPEN_HOURS, words

BILLING = {
    "slug": "billing", "name": "Billing", "menu_key": "1",
    "speech_keywords": {"en": ["billing", "invoice"], "hi": ["बिलिंग"]},
    "names": {"hi": "बिलिंग विभाग"},
    "timezone": "Asia/Kolkata",
    "hours": {"mon": [["09:00", "17:00"]], "tue": ["09:00-12:00", "13:00-17:00"]},
}


def test_create_read_update_delete(client):
    assert client.post("/api/departments", json=BILLING).status_code == 401
    created = client.post("/api/departments", json=BILLING, headers=ADMIN)
    assert created.status_code == 201
    body = created.get_json()
    assert body["hours"]["tue"] == [["09:00", "12:00"], ["13:00", "17:00"]]
    assert body["names"] == {"hi": "बिलिंग विभाग"}

    patched = client.patch("/api/departments/billing",
                           json={"menu_key": "4", "is_default": True}, headers=ADMIN)
    assert patched.status_code == 200
    assert patched.get_json()["menu_key"] == "4"

    client.post("/api/departments", json={"slug": "sales", "name": "Sales", "menu_key": "2",
                                          "is_default": True}, headers=ADMIN)
    listed = client.get("/api/departments", headers=ADMIN).get_json()["departments"]
    assert {d["slug"]: d["is_default"] for d in listed} == {"billing": False, "sales": True}

    assert client.delete("/api/departments/billing", headers=ADMIN).status_code == 204
    assert client.get("/api/departments/billing", headers=ADMIN).status_code == 404


@pytest.mark.parametrize(("change", "error", "status"), [
    ({"menu_key": "12"}, "invalid_department", 400),
    ({"menu_key": "*"}, "invalid_department", 400),
    ({"menu_key": "2"}, "department_conflict", 409),
    ({"timezone": "Mars/Olympus_Mons"}, "invalid_department", 400),
    ({"timezone": "../../etc/passwd"}, "invalid_department", 400),
    ({"hours": {"mon": [["9:00", "17:00"]]}}, "invalid_hours", 400),
    ({"hours": {"mon": [["17:00", "09:00"]]}}, "invalid_hours", 400),
    ({"hours": {"mon": [["09:00", "13:00"], ["12:00", "17:00"]]}}, "invalid_hours", 400),
    ({"hours": {"funday": [["09:00", "17:00"]]}}, "invalid_hours", 400),
    ({"hours": {"mon": [["09:00", "25:00"]]}}, "invalid_hours", 400),
    ({"hours": "nine to five"}, "invalid_hours", 400),
    ({"speech_keywords": {"xx": ["hello"]}}, "invalid_department", 400),
    ({"speech_keywords": ["billing"]}, "invalid_department", 400),
    ({"name": ""}, "invalid_department", 400),
    ({"colour": "blue"}, "invalid_department", 400),
    ({"is_default": "yes"}, "invalid_department", 400),
])
def test_patch_validation(client, change, error, status):
    client.post("/api/departments", json=BILLING, headers=ADMIN)
    client.post("/api/departments", json={"slug": "sales", "name": "Sales", "menu_key": "2"},
                headers=ADMIN)
    response = client.patch("/api/departments/billing", json=change, headers=ADMIN)
    assert response.status_code == status, response.get_json()
    assert response.get_json()["error"]["id"] == error
    # Nothing changed.
    assert client.get("/api/departments/billing", headers=ADMIN).get_json()["menu_key"] == "1"


def test_create_validation(client):
    for body in ({**BILLING, "slug": "Has Spaces"}, {"slug": "x", "name": "X"},
                 {"slug": "x", "menu_key": "5"}, [1, 2]):
        response = client.post("/api/departments", json=body, headers=ADMIN)
        assert response.status_code == 400, body
    client.post("/api/departments", json=BILLING, headers=ADMIN)
    again = client.post("/api/departments", json=BILLING, headers=ADMIN)
    assert again.status_code == 409
    assert client.get("/api/departments", headers=ADMIN).get_json()["departments"][0][
        "slug"] == "billing"


def test_holidays_api(client):
    client.post("/api/departments", json=BILLING, headers=ADMIN)
    url = "/api/departments/billing/holidays"
    assert client.post(url, json={"day": "2026-12-25", "name": "Christmas Day"},
                       headers=ADMIN).status_code == 201
    assert client.post(url, json={"day": "25/12/2026"}, headers=ADMIN).status_code == 400
    assert client.get(url, headers=ADMIN).get_json()["holidays"] == [
        {"day": "2026-12-25", "name": "Christmas Day"}]
    assert client.delete(f"{url}/2026-12-25", headers=ADMIN).status_code == 204
    assert client.delete(f"{url}/2026-12-25", headers=ADMIN).status_code == 404


@freeze_time(OPEN_HOURS)
def test_a_department_edit_changes_the_next_callers_menu(app, demo, phone, client):
    assert "For Sales, press 3." in words(phone("+12025550143").dial())
    client.patch("/api/departments/sales", json={"name": "New connections", "menu_key": "5"},
                 headers=ADMIN)
    root = phone("+12025550143").dial()
    assert "For New connections, press 5." in words(root)
    assert "Sales" not in words(root)


def test_departments_cli(app):
    runner = app.test_cli_runner()

    def run(*args: str):
        return runner.invoke(args=["departments", *args])

    result = run("add", "billing", "--name", "Billing", "--key", "1",
                 "--keywords", "en=billing,invoice", "--keywords", "hi=बिलिंग",
                 "--name-in", "hi=बिलिंग विभाग", "--timezone", "Asia/Kolkata",
                 "--hours", "mon-fri=09:00-17:00", "--default")
    assert result.exit_code == 0, result.output
    assert run("add", "sales", "--name", "Sales", "--key", "1").exit_code != 0
    bad = run("add", "sales", "--name", "Sales", "--key", "x")
    assert "single digit" in bad.output
    assert "not an IANA time zone" in run("set-hours", "billing", "mon=09:00-17:00",
                                          "--timezone", "Nowhere/Special").output
    assert "must start before it ends" in run("set-hours", "billing", "mon=17:00-09:00").output

    result = run("set-hours", "billing", "mon-thu=09:00-17:00", "fri=09:00-13:00",
                 "--timezone", "Asia/Kuala_Lumpur")
    assert result.exit_code == 0, result.output
    assert run("add-holiday", "billing", "2026-12-25", "Christmas Day").exit_code == 0
    assert run("add-holiday", "billing", "next tuesday").exit_code != 0

    listing = run("list").output
    assert "1  billing" in listing and "(default)" in listing
    assert "fri=09:00-13:00" in listing and "Asia/Kuala_Lumpur" in listing
    assert "closed 2026-12-25 Christmas Day" in listing
    assert "hi: बिलिंग" in listing

    assert run("remove", "billing", "--yes").exit_code == 0
    assert "No departments yet" in run("list").output
    assert run("remove", "billing", "--yes").exit_code != 0


def test_seed_demo_is_idempotent(app, client):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["ivr", "seed-demo"])
    second = runner.invoke(args=["ivr", "seed-demo"])
    assert first.exit_code == second.exit_code == 0
    assert "created" in first.output and "created" not in second.output
    departments = client.get("/api/departments", headers=ADMIN).get_json()["departments"]
    assert [(d["slug"], d["menu_key"]) for d in departments] == [
        ("billing", "1"), ("support", "2"), ("sales", "3")]
    assert [d["slug"] for d in departments if d["is_default"]] == ["support"]
    with app.app_context():
        from sqlalchemy import select

        from app.customers.models import Customer
        from app.extensions import db

        people = {c.name: c.language for c in db.session.scalars(select(Customer))}
    assert people == {"Asha": "hi", "Nurul Aisyah": "ms", "Rahim": "bn", "Jordan": "en",
                      "Priya": "hi"}
