"""A department's missed-call callbacks (R14) through the departments API: on by default
after 20 s, changed and checked like every field."""

from __future__ import annotations

import pytest

from tests.ivr.conftest import ADMIN

SALES = {"slug": "sales", "name": "Sales", "menu_key": "3"}


def test_on_by_default_after_20_s_and_changed_by_patch(client):
    created = client.post("/api/departments", json=SALES, headers=ADMIN).get_json()
    assert created["missed_call_callbacks"] is True
    assert created["missed_call_after_seconds"] == 20
    patched = client.patch("/api/departments/sales", headers=ADMIN,
                           json={"missed_call_callbacks": False, "missed_call_after_seconds": 45})
    assert patched.status_code == 200, patched.get_json()
    body = client.get("/api/departments/sales", headers=ADMIN).get_json()
    assert body["missed_call_callbacks"] is False and body["missed_call_after_seconds"] == 45


@pytest.mark.parametrize("change", [
    {"missed_call_after_seconds": -1},
    {"missed_call_after_seconds": 601},
    {"missed_call_after_seconds": "20"},
    {"missed_call_after_seconds": 2.5},
    {"missed_call_after_seconds": True},
    {"missed_call_callbacks": "yes"},
])
def test_refused_values_change_nothing(client, change):
    client.post("/api/departments", json=SALES, headers=ADMIN)
    response = client.patch("/api/departments/sales", json=change, headers=ADMIN)
    assert response.status_code == 400, response.get_json()
    error = response.get_json()["error"]
    assert error["id"] == "invalid_department" and error["details"]["field"] == next(iter(change))
    body = client.get("/api/departments/sales", headers=ADMIN).get_json()
    assert body["missed_call_callbacks"] is True and body["missed_call_after_seconds"] == 20
