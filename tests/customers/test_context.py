"""The agent's screen-pop: the call, who is calling, their history, open callbacks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from freezegun import freeze_time

from app.customers.hooks import screen_pop_hooks
from app.customers.models import Customer, CustomerPhone
from app.extensions import db
from app.floor.models import Department
from app.interactions.models import Interaction
from app.interactions.services import add_event

START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def known_caller(app) -> int:
    """Asha, who has phoned 12 times before, and is on the line now (CA-now)."""
    with app.app_context():
        billing = Department(slug="billing", name="Billing", menu_key="1")
        asha = Customer(name="Asha Rao", account_number="ACC-1", language="hi", tier="vip")
        asha.phones.append(CustomerPhone(number="+14155550100", source="import"))
        db.session.add_all([billing, asha])
        db.session.flush()
        for day in range(12):
            db.session.add(Interaction(
                call_sid=f"CA-old-{day:02d}", from_number="+14155550100", customer_id=asha.id,
                department_id=billing.id, language="hi", status="completed",
                started_at=START - timedelta(days=12 - day),
            ))
        with freeze_time(START):
            call = Interaction(call_sid="CA-now", from_number="+14155550100",
                               to_number="+15005550006", customer_id=asha.id,
                               department_id=billing.id, language="hi", started_at=START)
            db.session.add(call)
            add_event(call, "greeted")
            add_event(call, "queued", department="billing")
        db.session.commit()
        return asha.id


def get_context(client, auth, call_sid: str):
    return client.get(f"/api/calls/{call_sid}/context", headers=auth)


def test_context_for_a_known_caller(client, auth, known_caller):
    response = get_context(client, auth, "CA-now")
    assert response.status_code == 200
    body = response.get_json()
    assert body["call"]["call_sid"] == "CA-now"
    assert body["call"]["status"] == "in-progress"
    assert body["call"]["started_at"] == "2026-03-02T10:00:00Z"
    assert body["call"]["language"] == "hi"
    assert body["call"]["department"] == {"id": 1, "slug": "billing", "name": "Billing"}
    assert [e["kind"] for e in body["call"]["events"]] == ["greeted", "queued"]
    assert body["call"]["events"][1]["detail"] == {"department": "billing"}
    assert body["customer"]["id"] == known_caller
    assert body["customer"]["name"] == "Asha Rao"
    assert body["customer"]["tier"] == "vip"
    assert body["caller"] == {"number": "+14155550100", "raw": "+14155550100", "known": True}
    # The last 10 earlier calls, newest first, without the call in progress.
    assert [i["call_sid"] for i in body["history"]] == [f"CA-old-{d:02d}"
                                                        for d in range(11, 1, -1)]
    assert body["history"][0]["department"]["slug"] == "billing"
    assert body["open_callbacks"] == []
    assert body["unavailable"] == []


def test_caller_is_recognised_by_number_when_the_call_has_no_customer_yet(app, client, auth,
                                                                          known_caller):
    with app.app_context():
        db.session.add(Interaction(call_sid="CA-new", from_number="(415) 555-0100"))
        db.session.commit()
    body = get_context(client, auth, "CA-new").get_json()
    assert body["customer"]["id"] == known_caller
    assert body["caller"]["number"] == "+14155550100"
    assert len(body["history"]) == 10


@pytest.mark.parametrize(("raw", "number"), [("+14155550199", "+14155550199"),
                                              ("anonymous", None)])
def test_context_for_an_unknown_caller(app, client, auth, raw, number):
    with app.app_context():
        db.session.add(Interaction(call_sid="CA-stranger", from_number=raw))
        db.session.commit()
    body = get_context(client, auth, "CA-stranger").get_json()
    assert body["customer"] is None
    assert body["caller"] == {"number": number, "raw": raw, "known": False}
    assert body["history"] == []
    assert body["open_callbacks"] == []
    assert body["call"]["department"] is None


def test_unknown_call_is_404(client, auth):
    response = get_context(client, auth, "CA-nope")
    assert response.status_code == 404
    assert response.get_json()["error"]["id"] == "call_not_found"


def test_other_packages_contribute_to_the_context(app, client, auth, known_caller):
    hooks = screen_pop_hooks(app)

    def loyalty(ctx):
        return {"for": ctx.customer.name, "number": ctx.caller_number}

    def broken(ctx):
        raise RuntimeError("offers service down")

    hooks.contribute("loyalty", loyalty)
    hooks.contribute("offers", broken)
    body = get_context(client, auth, "CA-now").get_json()
    assert body["loyalty"] == {"for": "Asha Rao", "number": "+14155550100"}
    assert body["offers"] is None
    assert body["unavailable"] == ["offers"]
    assert body["customer"]["name"] == "Asha Rao"


def test_contributors_are_per_app_and_one_per_key(app):
    hooks = screen_pop_hooks(app)
    # The packages' own, wired by their register(app).
    assert {"open_callbacks", "transfer", "last_wrapup"} <= set(hooks.contributors)
    assert {"callbacks", "transfers", "wrapup"} <= set(hooks.fields)
    with pytest.raises(ValueError, match="open_callbacks"):
        hooks.contribute("open_callbacks", lambda ctx: [])
    with pytest.raises(ValueError, match="history"):
        hooks.contribute("history", lambda ctx: [])
    hooks.contribute("loyalty", lambda ctx: 1)
    assert "loyalty" not in screen_pop_hooks(Flask("another")).contributors


def test_customer_detail_lists_the_latest_interactions(client, auth, known_caller):
    body = client.get(f"/api/customers/{known_caller}", headers=auth).get_json()
    assert [i["call_sid"] for i in body["interactions"]][:2] == ["CA-now", "CA-old-11"]
    assert len(body["interactions"]) == 10
    more = client.get(f"/api/customers/{known_caller}?interactions=50", headers=auth).get_json()
    assert len(more["interactions"]) == 13


def test_later_issues_add_interaction_fields(app, client, auth, known_caller):
    calls_seen = []

    def outcome(interactions):
        calls_seen.append(len(interactions))
        return {i.id: {"outcome": f"resolved {i.call_sid}"} for i in interactions}

    def broken(interactions):
        raise RuntimeError("loyalty down")

    screen_pop_hooks(app).interaction_fields("outcome", outcome)
    screen_pop_hooks(app).interaction_fields("loyalty", broken)
    body = get_context(client, auth, "CA-now").get_json()
    assert body["call"]["outcome"] == "resolved CA-now"
    assert body["history"][0]["outcome"] == "resolved CA-old-11"
    assert calls_seen == [1, 10]  # once for the call, once for the whole history
    # A broken one leaves the history there, and says what is missing.
    assert len(body["history"]) == 10 and body["unavailable"] == ["loyalty"]
