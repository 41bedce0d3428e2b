"""Open consoles hear of callback changes at once: a `callbacks.changed` entry on the event
stream of every agent whose callback list shows the callback, and of nobody else."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.agents import services as agents
from app.extensions import db
from app.queue import queue_services
from app.voicemail import services
from app.voicemail.models import Callback, Voicemail
from app.web import sse
from tests.conftest import EVERY_LANGUAGE, call_params, parse_twiml
from tests.voicemail.conftest import path_of, query, recording_params, sid, transcription_params
from tests.voicemail.test_api import message_in
from tests.voicemail.test_flows import (
    JORDAN,
    OPEN_HOURS,
    Floor,
    api,
    floor_at,
    jordan_leaves_a_message,
)

CHANGED = "callbacks.changed"


def changes(client: FlaskClient, who: dict[str, str]) -> list[dict]:
    """What the agent's console was told, read as the console reads its stream (the API)."""
    response = client.get("/api/agents/me/events", headers=who)
    assert response.status_code == 200, response.get_json()
    return [change for event in response.get_json()["events"] if event["type"] == CHANGED
            for change in event["changes"]]


def told(client: FlaskClient, who: dict[str, str], callback_id: int) -> list[tuple[str, str]]:
    return [(c["change"], c["by"]) for c in changes(client, who) if c["callback_id"] == callback_id]


# -- a caller leaves a message (the whole call through the emulator) --------------------------

@pytest.fixture
def floor(app: Flask, client: FlaskClient) -> Iterator[Floor]:
    with floor_at(app, client, OPEN_HOURS) as floor:
        yield floor


def test_a_message_reaches_the_departments_consoles_and_no_one_elses(floor):
    floor.agent("amy", ["billing"])
    floor.agent("sal", ["sales"])
    floor.agent("sue", ["sales"], role="supervisor")  # supervisors' lists show every box
    callback = jordan_leaves_a_message(floor, "Please call me back about my bill")
    amy, sal, sue = (floor.token(who) for who in ("amy", "sal", "sue"))

    heard = told(floor.client, amy, callback.id)
    # The box opened a missed call before the greeting; the recording made it a message;
    # Twilio's transcription came after.
    assert heard[0] == ("created", "system")
    assert ("message_recorded", "system") in heard
    assert heard[-1] == ("transcribed", "system")
    assert told(floor.client, sue, callback.id) == heard
    assert changes(floor.client, sal) == []
    # What the console then reads: the message, with its words.
    [item] = api(floor, "get", "/api/callbacks", amy)["callbacks"]
    assert item["id"] == callback.id and item["number"] == JORDAN
    assert item["message"]["transcription"]["text"] == "Please call me back about my bill"


# -- agents working the list ----------------------------------------------------------------

@pytest.fixture
def ann(app: Flask, client: FlaskClient, people) -> dict[str, str]:
    """A second billing agent, beside amy (billing), sam (sales) and sue (supervisor)."""
    with app.app_context():
        agents.create_agent("Ann Agent", "ann", departments=["billing"], password="password-1",
                            languages=EVERY_LANGUAGE)
        db.session.commit()
    response = client.post("/api/agents/login", json={"identity": "ann", "password": "password-1"})
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def test_a_claim_and_a_clear_reach_the_colleagues_console(app, frozen, client, people, ann):
    callback = message_in(app, "billing", 1)
    amy, sam, sue = people["amy"], people["sam"], people["sue"]
    seen = {who: len(changes(client, headers)) for who, headers in
            (("ann", ann), ("sam", sam), ("sue", sue))}

    assert client.post(f"/api/callbacks/{callback}/claim", headers=amy).status_code == 200
    assert told(client, ann, callback)[-1] == ("claimed", "amy")
    assert told(client, sue, callback)[-1] == ("claimed", "amy")
    cleared = client.post(f"/api/callbacks/{callback}/clear", headers=amy,
                          json={"outcome": "reached", "note": ""})
    assert cleared.status_code == 200
    assert told(client, ann, callback)[-1] == ("cleared", "amy")
    assert len(changes(client, ann)) == seen["ann"] + 2  # one entry each, not one per row
    assert len(changes(client, sam)) == seen["sam"] == 0  # sales: never his list
    # Ann's console, reloading on the news, finds it gone from her list.
    listed = client.get("/api/callbacks", headers=ann).get_json()["callbacks"]
    assert callback not in [c["id"] for c in listed]


def test_the_event_stream_relays_the_change_to_the_console(app, frozen, client, people, ann):
    callback = message_in(app, "billing", 1)
    client.post(f"/api/callbacks/{callback}/claim", headers=people["amy"])
    with app.app_context():
        events = queue_services().events
        text = "".join(sse.stream(events.redis, events.agent_stream("ann"), {"identity": "ann"},
                                   after="0-0", pacing=sse.Pacing(duration=0.2, block_ms=50)))
    assert "event: agent" in text and f'"type": "{CHANGED}"' in text
    assert f'"callback_id": {callback}, "change": "claimed", "by": "amy"' in text


def test_an_agent_it_is_taken_from_hears_it_go(app, frozen, client, people):
    callback = message_in(app, "billing", 1)
    admin = people["sue"]
    client.post(f"/api/callbacks/{callback}/assign", headers=admin, json={"agent": "sam"})
    assert told(client, people["sam"], callback) == [("reassigned", "sue")]
    assert callback in [c["id"] for c in client.get(
        "/api/callbacks", headers=people["sam"]).get_json()["callbacks"]]
    client.post(f"/api/callbacks/{callback}/assign", headers=admin, json={"agent": "amy"})
    # Sam (sales) is told once more, so his console drops the row it no longer lists.
    assert told(client, people["sam"], callback) == [("reassigned", "sue")] * 2
    assert client.get("/api/callbacks", headers=people["sam"]).get_json()["callbacks"] == []


def test_a_change_rolled_back_tells_nobody(app, frozen, client, people):
    callback = message_in(app, "billing", 1)
    before = changes(client, people["sue"])
    with app.test_request_context():
        services.claim(services.find_callback(callback), services.find_agent("amy"))
        db.session.rollback()
        services.audit(services.find_callback(callback), "listened", "amy")  # history only
        db.session.commit()
    assert changes(client, people["sue"]) == before


def test_a_general_box_message_reaches_supervisors_only(app, frozen, client, people):
    callback = message_in(app, "general", 1)
    assert ("message_recorded", "system") in told(client, people["sue"], callback)
    assert changes(client, people["amy"]) == changes(client, people["sam"]) == []


# -- Redis down: the message is saved all the same ------------------------------------------

def _break_redis(app: Flask) -> None:
    app.extensions["redis"] = redis.Redis(host="127.0.0.1", port=1, decode_responses=True,
                                          socket_connect_timeout=0.2, socket_timeout=0.2)
    app.extensions.pop("queue_store", None)


def test_with_redis_down_the_message_is_saved_and_every_webhook_answers(
        app, frozen, signed_post, people, caplog):
    call = sid(7)
    _break_redis(app)
    caplog.set_level(logging.ERROR, logger="app.voicemail.events")

    # Amy's direct line rang out: the caller hears her box's greeting, not the fallback.
    root = parse_twiml(signed_post("/voicemail/agents/amy/unanswered",
                                   call_params(CallSid=call, DialCallStatus="no-answer")))
    record = root.find("Record")
    assert record is not None and query(record.get("action"))["box"] == "agent-amy"
    status_path = path_of(record.get("recordingStatusCallback"))
    transcription_path = path_of(record.get("transcribeCallback"))
    parse_twiml(signed_post(status_path, recording_params(call, sid(7, "RE"))))
    parse_twiml(signed_post(transcription_path,
                            transcription_params(call, sid(7, "RE"), "Ring me, it's urgent.")))

    with app.app_context():
        [callback] = db.session.scalars(select(Callback)).all()
        [message] = db.session.scalars(select(Voicemail)).all()
        assert (callback.kind, callback.box.slug) == ("voicemail", "agent-amy")
        assert message.callback_id == callback.id
        assert message.transcription_text == "Ring me, it's urgent."
    told_nobody = [r for r in caplog.records if "could not tell the consoles" in r.getMessage()]
    assert len(told_nobody) == 3  # the missed call, the message, its words
