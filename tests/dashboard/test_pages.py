"""Who may see the floor, and what the page shows."""

from __future__ import annotations

import json
import time

import pytest

from app.queue import queue_services


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/supervisor")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/signin")


def test_agents_are_refused_the_floor(agent_browser):
    assert agent_browser.get("/supervisor").status_code == 403
    assert agent_browser.get("/supervisor/events").status_code == 403


def test_the_json_floor_is_for_supervisors_only(client, agent_browser):
    assert agent_browser.get("/supervisor/api/floor").status_code == 403
    assert client.get("/supervisor/api/floor",
                      headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_supervisors_see_queues_agents_and_figures(app, supervisor):
    with app.app_context():
        store = queue_services().store
        now = time.time()
        store.enqueue("CA" + "1" * 32, "billing", priority=0, since=now - 35,
                      number="+14155550100", department_name="Billing", language="en",
                      ladder=json.dumps([{"at": 0, "action": "announce"},
                                         {"at": 45, "action": "offer"}]))
        store.set_call_fields("CA" + "1" * 32, **{"fired:1:0": now - 35})
        store.set_agent_state("amy", "away", ["billing"], now - 90, "lunch")

    page = supervisor.get("/supervisor")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<h1>Floor</h1>" in html
    assert 'data-queue="billing"' in html
    assert "+14155550100" in html
    assert "1 waiting" in html
    assert 'class="step fired step-announce"' in html  # the apology step already fired
    assert 'class="step step-offer"' in html  # the offer is still to come
    assert "lunch" in html and "Amy Agent" in html
    assert "Service level" in html and "<svg" in html
    # The hold clock starts from the server's time: 35 s waited, amber.
    assert ">0:35<" in html and "level-warn" in html


def test_live_calls_show_holds_and_transfers_from_the_call_controls(app, supervisor):
    with app.app_context():
        store = queue_services().store
        now = time.time()
        for sid in ("CA" + "2" * 32, "CA" + "3" * 32):
            store.enqueue(sid, "billing", priority=0, since=now - 100, number="+14155550111",
                          department_name="Billing", language="en")
            store.set_call_fields(sid, state="connected", agent="amy", answered_at=now - 90)
            store.redis.zrem(store.keys.queue("billing"), sid)
        prefix = store.keys.prefix
        store.redis.hset(f"{prefix}:ctl:CA{'2' * 32}",
                         mapping={"held": "1", "held_since": now - 12})
        store.redis.hset(f"{prefix}:transfer:CA{'3' * 32}",
                         mapping={"state": "consulting", "to_agent": "sam"})

    calls = {c["call_sid"]: c for c in supervisor.get("/supervisor/api/floor").get_json()[
        "live_calls"]}
    held, moving = calls["CA" + "2" * 32], calls["CA" + "3" * 32]
    assert held["state"] == "held" and held["held_since"] == pytest.approx(now - 12)
    assert moving["state"] == "transferring" and moving["transfer_to"] == "sam"
    html = supervisor.get("/supervisor").get_data(as_text=True)
    assert "badge-held" in html and "badge-transferring" in html and "→ sam" in html
    assert 'data-action="monitor" data-mode="whisper"' in html


def test_the_floor_shows_calls_the_cps_budget_holds_back(app, supervisor):
    assert supervisor.get("/supervisor/api/floor").get_json()["cps"] == {
        "waiting": 0, "longest_wait": 0.0}
    assert "calls-per-second budget" not in supervisor.get("/supervisor").get_data(as_text=True)
    with app.app_context():
        from app.queue import queue_services

        now = time.time()
        for _ in range(4):  # at 1 CPS: now, then three more a second apart
            queue_services().governor.reserve(now)
    held = supervisor.get("/supervisor/api/floor").get_json()["cps"]
    assert held["waiting"] == 3 and 2 < held["longest_wait"] <= 3
    html = supervisor.get("/supervisor").get_data(as_text=True)
    assert 'data-testid="cps-held"' in html
    assert "calls waiting for the account's calls-per-second budget, up to" in html


def test_the_floor_shows_agents_whose_line_is_down(app, supervisor):
    with app.app_context():
        from app.queue import queue_services

        store = queue_services().store
        line_book = queue_services().line_book
        now = time.time()
        store.set_agent_state("amy", "away", ["billing"], now, "line down")
        line_book.opened("amy", "CA" + "4" * 32, now - 60)
    floor = supervisor.get("/supervisor/api/floor").get_json()
    assert {a["identity"]: a["line"] for a in floor["agents"]}["amy"] == "connected"
    assert floor["lines_down"] == []
    assert 'data-testid="line-down"' not in supervisor.get("/supervisor").get_data(as_text=True)
    with app.app_context():
        line_book.dropped("amy", "CA" + "4" * 32, now)
    floor = supervisor.get("/supervisor/api/floor").get_json()
    assert floor["lines_down"] == ["amy"]
    html = supervisor.get("/supervisor").get_data(as_text=True)
    assert 'data-testid="line-down"' in html and 'data-testid="lines-down"' in html


def test_the_floor_shows_agents_whose_line_is_reconnecting(app, supervisor):
    with app.app_context():
        from app.queue import queue_services

        line_book = queue_services().line_book
        now = time.time()
        queue_services().store.set_agent_state("amy", "away", ["billing"], now,
                                               "line not ready")
        line_book.opened("amy", "CA" + "5" * 32, now - 60)
        assert line_book.reconnecting("amy", "CA" + "5" * 32, now)
        assert not line_book.reconnecting("amy", "CA" + "6" * 32, now)  # not her line
    floor = supervisor.get("/supervisor/api/floor").get_json()
    assert {a["identity"]: a["line"] for a in floor["agents"]}["amy"] == "reconnecting"
    assert floor["lines_reconnecting"] == ["amy"] and floor["lines_down"] == []
    html = supervisor.get("/supervisor").get_data(as_text=True)
    assert 'data-testid="line-reconnecting"' in html
    assert 'data-testid="lines-reconnecting"' in html
    with app.app_context():
        assert line_book.reconnecting("amy", "CA" + "5" * 32, None)
    floor = supervisor.get("/supervisor/api/floor").get_json()
    assert floor["lines_reconnecting"] == []
