"""The call-controls API: the live call, who may act on it, and bad requests."""

from __future__ import annotations

from tests.calls.conftest import sign_in, talking


def test_the_live_call(floor, amy):
    call = talking(floor, amy)
    view = amy.get(f"/api/calls/{call.sid}").get_json()
    assert view["call_sid"] == call.sid and view["state"] == "talking"
    assert view["customer"]["name"] == "Asha" and view["department"]["slug"] == "billing"
    assert view["agent"] == "amy" and view["transfer"] is None
    assert [p["role"] for p in view["participants"]] == ["caller", "agent"]


def test_an_agent_cannot_act_on_another_agents_call(floor, amy, bob):
    call = talking(floor, amy)
    for method, path in (("get", ""), ("post", "/hold"), ("post", "/hangup"),
                         ("post", "/transfers"), ("get", "/transfer")):
        response = getattr(bob, method)(f"/api/calls/{call.sid}{path}")
        assert response.status_code == 403, (path, response.get_json())
        assert response.get_json()["error"]["id"] == "forbidden"
    assert floor.call_state(call.sid)["state"] == "connected"
    sue = sign_in(floor, "sue", [], role="supervisor")
    assert sue.get(f"/api/calls/{call.sid}").status_code == 200


def test_signing_in_is_required(floor, amy):
    call = talking(floor, amy)
    assert floor.app.test_client().get(f"/api/calls/{call.sid}").status_code == 401


def test_unknown_call_and_bad_transfers(floor, amy, bob):
    assert amy.get("/api/calls/CA" + "0" * 32).status_code == 404
    call = talking(floor, amy)
    for body in ({"mode": "hot", "target": {"kind": "agent", "id": "bob"}},
                 {"mode": "warm", "target": {"kind": "robot"}},
                 {"mode": "warm", "target": {"kind": "agent", "id": "nobody"}},
                 {"mode": "warm", "target": {"kind": "agent", "id": "amy"}},
                 {"mode": "cold", "target": {"kind": "department", "id": "nowhere"}}):
        response = amy.post(f"/api/calls/{call.sid}/transfers", body)
        assert response.status_code == 400, body
        assert response.get_json()["error"]["id"] == "invalid_transfer"
    assert amy.get(f"/api/calls/{call.sid}/transfer").status_code == 404
    assert amy.post(f"/api/calls/{call.sid}/transfer/complete").status_code == 404
