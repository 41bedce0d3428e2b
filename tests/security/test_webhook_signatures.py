"""Forged, missing, replayed-to-another-URL and tampered signatures: 403 on every webhook,
and nothing changes."""

from __future__ import annotations

import base64

import pytest
import redis as redis_lib
from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from app.interactions.models import Interaction
from tests.conftest import call_params, parse_twiml, sign
from tests.security.webhooks import fill, signed_request, webhook_rules

PARAMS = call_params(CallSid="CA" + "5" * 32, From="+919876543210", Digits="1",
                     CallStatus="in-progress", RecordingSid="RE" + "1" * 32,
                     RecordingStatus="completed", RecordingDuration="12")


def _rules():
    return webhook_rules(create_app("testing"))


def test_there_are_webhooks_to_check():
    paths = {r.rule for r in _rules()}
    assert {"/ivr/incoming", "/queue/wait", "/voicemail/recording-status"} <= paths


def _state(app, redis_url: str) -> tuple[int, int]:
    with app.app_context():
        rows = db.session.scalar(select(func.count()).select_from(Interaction))
    return rows, redis_lib.Redis.from_url(redis_url).dbsize()


def _ways_to_get_it_wrong(path: str) -> dict[str, tuple[str, dict[str, str]]]:
    url, good = signed_request(path, {}, PARAMS)
    other_path = "/ivr/incoming" if path != "/ivr/incoming" else "/ivr/menu"
    other_url, _ = signed_request(other_path, {}, PARAMS)
    return {
        "missing": (url, {}),
        "empty": (url, {"X-Twilio-Signature": ""}),
        "forged": (url, {"X-Twilio-Signature": base64.b64encode(b"x" * 20).decode()}),
        "wrong token": signed_request(path, {}, PARAMS, token="not-the-auth-token"),
        # A signature Twilio gave for another of our URLs, replayed here.
        "replayed from another URL": (url, {"X-Twilio-Signature": sign(
            "https://callcentre.example.test" + other_url, PARAMS)}),
        "replayed with another query": (url + "?lang=en", good),
        "replayed to another host": (url, {"X-Twilio-Signature": sign(
            "https://evil.example.test" + url, PARAMS)}),
        "over http": (url, {"X-Twilio-Signature": sign(
            "http://callcentre.example.test" + url, PARAMS)}),
    }


@pytest.mark.parametrize("rule", _rules(), ids=lambda r: r.rule)
def test_every_bad_signature_gets_403_and_changes_nothing(app, client, redis_server, rule):
    path = fill(rule)
    before = _state(app, redis_server.url)
    for how, (url, headers) in _ways_to_get_it_wrong(path).items():
        response = client.post(url, data=PARAMS, headers=headers)
        assert response.status_code == 403, (how, response.status_code)
    # Signed for these parameters, then one was changed on the way.
    url, headers = signed_request(path, {}, PARAMS)
    tampered = {**PARAMS, "Digits": "9"}
    assert client.post(url, data=tampered, headers=headers).status_code == 403
    extra = {**PARAMS, "Injected": "1"}
    assert client.post(url, data=extra, headers=headers).status_code == 403
    assert _state(app, redis_server.url) == before  # no view ran


@pytest.mark.parametrize("rule", _rules(), ids=lambda r: r.rule)
def test_the_right_signature_gets_past_the_check(app, client, rule):
    url, headers = signed_request(fill(rule), {}, PARAMS)
    response = client.post(url, data=PARAMS, headers=headers)
    assert response.status_code != 403
    if response.status_code == 200:
        parse_twiml(response)
