"""Hostile input while a call is live: signed garbage that names the real caller, the real
agent leg and the real conference reaches the code paths a random SID never does. Every
caller-facing answer is still TwiML, no status callback answers 5xx, and afterwards the app
still serves a new caller."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import create_app
from tests.flows.conftest import ASHA, NUMBER, NURUL, floor  # noqa: F401  (the fixture)
from tests.security.conftest import webhook_kind
from tests.security.test_webhook_fuzz import TWILIO_FIELDS, params, path_values, query, weird
from tests.security.webhooks import fill, signed_request, webhook_rules

EXAMPLES = 8


def _rules():
    return webhook_rules(create_app("testing"))


def _live_call(floor):  # noqa: F811
    amy = floor.agent("amy", ["billing"])
    floor.agent("bob", ["billing"], state="away")
    call = floor.emu.dial_in(ASHA, NUMBER)
    floor.wait_until(lambda: call.gathering, timeout=60)
    call.press("1")
    floor.wait_until(lambda: amy.is_ringing, timeout=60)
    amy.answer()
    floor.wait_until(lambda: floor.call_state(call.sid).get("state") == "connected", timeout=30)
    return call


@pytest.mark.parametrize("rule", _rules(), ids=lambda r: r.rule)
def test_signed_garbage_about_a_live_call(floor, rule):  # noqa: F811
    call = _live_call(floor)
    live = floor.call_state(call.sid)
    real = [call.sid, live.get("agent_leg", ""), live.get("conference", ""), call.sid,
            "amy", "bob", "billing", ASHA, NUMBER, "client:amy"]
    real = [v for v in real if v]
    value = st.one_of(st.sampled_from(real), weird)
    form = st.fixed_dictionaries(
        {"CallSid": st.sampled_from(real)},
        optional={name: value for name in TWILIO_FIELDS if name != "CallSid"}).flatmap(
            lambda base: params.map(lambda extra: {**extra, **base}))
    kind = webhook_kind(floor.app, rule)
    client = floor.app.test_client()

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(values=path_values(rule), query=query, form=form)
    def post(values, query, form):
        url, headers = signed_request(fill(rule, values), query, form)
        response = client.post(url, data=form, headers=headers)
        body = response.get_data()
        assert response.status_code != 403
        if kind == "twiml":
            assert response.status_code == 200, (response.status_code, body[:300])
        else:
            assert response.status_code < 500, (response.status_code, body[:300])
        if response.status_code == 200:
            assert ElementTree.fromstring(body).tag == "Response"

    post()
    floor.emu.settle()
    # Whatever the garbage did to the first call, the next caller is still served.
    floor.set_state("bob", ["billing"], "available")
    second = floor.emu.dial_in(NURUL, NUMBER)
    floor.wait_until(lambda: second.gathering, timeout=60)
    assert any(h.kind == "say" for h in second.heard)
