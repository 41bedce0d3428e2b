"""An agent acts only on their own calls and callbacks: they cannot hold, transfer, hang up,
wrap up or read the screen-pop of another agent's call, nor see, claim, hear or clear a
callback outside their boxes unless a supervisor assigned it to them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.clock import now
from app.extensions import db
from app.voicemail import boxes
from app.voicemail.models import Callback
from tests.flows.conftest import ASHA, NUMBER, floor  # noqa: F401  (the fixture)
from tests.security.conftest import Cast

CALLBACK_ROUTES = [("GET", "/api/callbacks/{id}"), ("POST", "/api/callbacks/{id}/claim"),
                   ("POST", "/api/callbacks/{id}/release"), ("POST", "/api/callbacks/{id}/call"),
                   ("POST", "/api/callbacks/{id}/clear"),
                   ("GET", "/api/callbacks/{id}/recording")]


@pytest.fixture
def billing_callback(app, cast: Cast) -> int:
    with app.app_context():
        callback = Callback(kind="voicemail", status="open", box=boxes.department_box("billing"),
                            due_at=now() + timedelta(minutes=15), number="+14155550100",
                            call_sid="CA" + "7" * 32)
        db.session.add(callback)
        db.session.commit()
        return callback.id


def _as(cast: Cast, who: str, method: str, path: str):
    client = cast.anonymous()
    return client.open(path, method=method, headers=cast[who].bearer,
                       json={"outcome": "reached"} if method == "POST" else None)


def test_another_agent_cannot_touch_a_callback_outside_their_boxes(cast, billing_callback):
    for method, path in CALLBACK_ROUTES:
        answer = _as(cast, "other_agent", method, path.format(id=billing_callback))
        assert answer.status_code == 403, (method, path, answer.get_json())
        assert answer.get_json()["error"]["id"] == "forbidden"
    listed = _as(cast, "other_agent", "GET", "/api/callbacks").get_json()["callbacks"]
    assert billing_callback not in [c["id"] for c in listed]
    # The billing agent may.
    assert _as(cast, "agent", "GET", f"/api/callbacks/{billing_callback}").status_code == 200
    assert _as(cast, "agent", "POST", f"/api/callbacks/{billing_callback}/claim").status_code \
        == 200


def test_once_assigned_the_other_agent_may_work_it(cast, billing_callback):
    assert _as(cast, "other_agent", "POST",
               f"/api/callbacks/{billing_callback}/assign").status_code == 403
    assigned = cast.anonymous().post(f"/api/callbacks/{billing_callback}/assign",
                                     json={"agent": "bob"}, headers=cast["supervisor"].bearer)
    assert assigned.status_code == 200, assigned.get_json()
    assert _as(cast, "other_agent", "GET", f"/api/callbacks/{billing_callback}").status_code \
        == 200
    cleared = _as(cast, "other_agent", "POST", f"/api/callbacks/{billing_callback}/clear")
    assert cleared.status_code == 200 and cleared.get_json()["status"] == "closed"


def test_the_billing_agent_cannot_release_a_callback_bob_is_working(cast, billing_callback):
    cast.anonymous().post(f"/api/callbacks/{billing_callback}/assign", json={"agent": "bob"},
                          headers=cast["supervisor"].bearer)
    answer = _as(cast, "agent", "POST", f"/api/callbacks/{billing_callback}/release")
    assert answer.status_code == 403


# -- live calls, through the emulator ----------------------------------------------------------

CALL_ROUTES = [
    ("GET", "/api/calls/{sid}", None), ("GET", "/api/calls/{sid}/context", None),
    ("GET", "/api/calls/{sid}/words", None),
    ("POST", "/api/calls/{sid}/hold", {}), ("POST", "/api/calls/{sid}/resume", {}),
    ("POST", "/api/calls/{sid}/transfers",
     {"mode": "cold", "target": {"kind": "department", "id": "sales"}}),
    ("GET", "/api/calls/{sid}/transfer", None),
    ("POST", "/api/calls/{sid}/transfer/complete", {}),
    ("POST", "/api/calls/{sid}/transfer/cancel", {}),
    ("POST", "/api/calls/{sid}/transfer/three-way", {}),
    ("POST", "/api/calls/{sid}/wrapup", {"notes": "x", "outcome": "resolved", "tags": [],
                                         "anything_else_asked": True}),
    ("POST", "/api/calls/{sid}/hangup", {}),
]


def _token(app, identity: str) -> dict[str, str]:
    answer = app.test_client().post("/api/agents/login",
                                    json={"identity": identity, "password": "password123"})
    return {"Authorization": f"Bearer {answer.get_json()['token']}"}


def test_only_the_agent_on_a_call_and_supervisors_may_act_on_it(floor):  # noqa: F811
    amy = floor.agent("amy", ["billing"])
    floor.agent("bob", ["billing", "sales"], state="away")
    floor.agent("sam", ["billing"], state="away", role="supervisor")
    call = floor.emu.dial_in(ASHA, NUMBER)
    floor.wait_until(lambda: call.gathering, timeout=60)
    call.press("1")
    floor.wait_until(lambda: amy.is_ringing, timeout=60)
    amy.answer()
    floor.wait_until(lambda: floor.call_state(call.sid).get("state") == "connected", timeout=30)

    client = floor.app.test_client()
    bob, amys, sams = (_token(floor.app, who) for who in ("bob", "amy", "sam"))
    for method, path, body in CALL_ROUTES:
        url = path.format(sid=call.sid)
        if not any(r.rule.replace("<call_sid>", "{sid}") == path
                   for r in floor.app.url_map.iter_rules()):
            continue  # a route this build does not have
        answer = client.open(url, method=method, json=body, headers=bob)
        assert answer.status_code == 403, (method, path, answer.status_code, answer.get_json())
        assert answer.get_json()["error"]["id"] == "forbidden"
    # Nothing bob tried took effect: the caller still talks to amy.
    assert floor.call_state(call.sid).get("state") == "connected"
    assert call.in_conference
    for who in (amys, sams):
        assert client.get(f"/api/calls/{call.sid}", headers=who).status_code == 200
        context = client.get(f"/api/calls/{call.sid}/context", headers=who)
        assert context.status_code == 200
        assert context.get_json()["caller"]["known"] is True
