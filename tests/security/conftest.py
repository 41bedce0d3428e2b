"""People with every role, signed in both ways (bearer token and browser session), and the
routes of the app as found in its url_map (so routes added later are covered too)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from app.agents import services as agents
from app.extensions import db
from app.floor.models import Department
from tests.conftest import EVERY_LANGUAGE

PASSWORD = "correct horse battery"
ADMIN_TOKEN = "dev-admin-token"
# name -> (identity, role, departments)
PEOPLE = {
    "agent": ("amy", "agent", ["billing"]),
    "other_agent": ("bob", "agent", ["sales"]),
    "supervisor": ("sam", "supervisor", ["billing", "sales"]),
}


@dataclass
class Person:
    name: str
    identity: str
    role: str
    token: str = ""
    browser: FlaskClient | None = None
    csrf: str = ""

    @property
    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Cast:
    app: Flask
    people: dict[str, Person] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Person:
        return self.people[name]

    def anonymous(self) -> FlaskClient:
        return self.app.test_client()


def page_csrf(response) -> str:
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', response.get_data(as_text=True))
    assert match, "the page has no CSRF token"
    return match.group(1)


def _sign_in_browser(app: Flask, identity: str) -> tuple[FlaskClient, str]:
    browser = app.test_client()
    token = page_csrf(browser.get("/signin"))
    answer = browser.post("/signin", data={"identity": identity, "password": PASSWORD,
                                           "csrf_token": token})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    # After sign-in the session carries a fresh CSRF token; any page shows it.
    return browser, page_csrf(browser.get("/signin", follow_redirects=True))


@pytest.fixture
def cast(app: Flask) -> Iterator[Cast]:
    with app.app_context():
        for slug, key in (("billing", "1"), ("sales", "3")):
            db.session.add(Department(slug=slug, name=slug.title(), menu_key=key))
        db.session.flush()
        for name, (identity, role, departments) in PEOPLE.items():
            agents.create_agent(name.title(), identity, role=role, departments=departments,
                                password=PASSWORD, languages=EVERY_LANGUAGE)
        db.session.commit()
    result = Cast(app)
    client = app.test_client()
    for name, (identity, role, _) in PEOPLE.items():
        answer = client.post("/api/agents/login", json={"identity": identity,
                                                        "password": PASSWORD})
        assert answer.status_code == 200, answer.get_data(as_text=True)
        person = Person(name, identity, role, token=answer.get_json()["token"])
        person.browser, person.csrf = _sign_in_browser(app, identity)
        result.people[name] = person
    result.people["admin"] = Person("admin", "admin", "admin", token=ADMIN_TOKEN)
    yield result


def webhook_kind(app: Flask, rule: Rule) -> str:
    """'twiml' (a caller hears the answer), 'status' (nobody does), or '' (not a webhook)."""
    mark = getattr(app.view_functions[rule.endpoint], "twilio_webhook", "")
    return "twiml" if mark is True else str(mark or "")


def routes(app: Flask) -> list[tuple[Rule, str]]:
    """Every (rule, method) the app serves, HEAD and OPTIONS aside."""
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule, method))
    return sorted(found, key=lambda item: (item[0].rule, item[1]))
