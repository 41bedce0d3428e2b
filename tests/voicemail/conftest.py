"""Voicemail test helpers: departments, agents with tokens, a Twilio gateway that records."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask

from app.agents import services as agents
from app.extensions import db
from app.floor.models import Department
from app.queue import queue_services
from app.queue.services import Caller
from tests.conftest import EVERY_LANGUAGE, PUBLIC_BASE_URL, call_params, parse_twiml

ADMIN = {"Authorization": "Bearer dev-admin-token"}
CUSTOMER = "+14155550100"
WEEKDAY_HOURS = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


@dataclass
class FakeGateway:
    """Stands in for Twilio's REST API; remembers what the app asked of it."""

    placed: list[dict[str, Any]] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    missing: set[str] = field(default_factory=set)
    broken: set[str] = field(default_factory=set)
    redirected: list[tuple[str, str]] = field(default_factory=list)

    def place_call(self, to: str, *, from_: str, url: str, status_callback: str,
                   timeout: int) -> str:
        self.placed.append({"to": to, "from": from_, "url": url,
                            "status_callback": status_callback, "timeout": timeout})
        return f"CA{len(self.placed):032d}"

    def delete_recording(self, recording_sid: str) -> bool:
        if recording_sid in self.broken:
            raise RuntimeError("Twilio is down")
        if recording_sid in self.missing:
            return False
        self.deleted.append(recording_sid)
        return True

    def redirect_call(self, call_sid: str, url: str) -> None:
        self.redirected.append((call_sid, url))

    def hang_up(self, call_sid: str) -> None:
        pass

    def add_agent_to_conference(self, conference: str, **kwargs: Any) -> str:
        return "CA" + "f" * 32


@pytest.fixture
def fake_gateway(app: Flask) -> FakeGateway:
    fake = FakeGateway()
    app.extensions["twilio_gateway"] = fake
    return fake


@pytest.fixture
def departments(app: Flask) -> None:
    with app.app_context():
        db.session.add_all([
            Department(slug="billing", name="Billing", menu_key="1", timezone="UTC",
                       hours=WEEKDAY_HOURS),
            Department(slug="sales", name="Sales", menu_key="2", timezone="UTC"),
        ])
        db.session.commit()


@pytest.fixture
def people(app: Flask, departments, client) -> dict[str, dict[str, str]]:
    """amy (billing), sam (sales), sue (supervisor): their API headers."""
    with app.app_context():
        agents.create_agent("Amy Agent", "amy", departments=["billing"], password="password-1",
                            languages=EVERY_LANGUAGE)
        agents.create_agent("Sam Agent", "sam", departments=["sales"], password="password-1",
                            languages=EVERY_LANGUAGE)
        agents.create_agent("Sue Supervisor", "sue", role="supervisor", departments=["billing"],
                            password="password-1")
        db.session.commit()
    headers = {}
    for identity in ("amy", "sam", "sue"):
        response = client.post("/api/agents/login",
                               json={"identity": identity, "password": "password-1"})
        headers[identity] = {"Authorization": f"Bearer {response.get_json()['token']}"}
    return headers


def sid(n: int, prefix: str = "CA") -> str:
    return f"{prefix}{n:032d}"


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def path_of(url: str) -> str:
    """The part of an absolute webhook URL to POST to in a test (a fragment, Twilio's
    connection overrides, is never sent)."""
    assert url.startswith(PUBLIC_BASE_URL), url
    return url[len(PUBLIC_BASE_URL):].partition("#")[0]


def join_queue(app: Flask, call_sid: str, *, department: str = "billing", language: str = "en",
               number: str = CUSTOMER) -> None:
    """A caller waiting in the department's queue; with nobody signed in they go straight to
    the offer menu (the queue's own behaviour), which is where keys 2 and 3 are pressed."""
    with app.test_request_context():
        queue_services().service.join(Caller(call_sid=call_sid, department=department,
                                    department_name=department.title(), language=language,
                                    number=number, interaction_id=None, customer_id=None,
                                    vip=False, ladder_settings={}))
        store = queue_services().store
        store.park(call_sid)
        assert store.call(call_sid)["state"] == "in_offer"


def press_at_offer(signed_post, call_sid: str, digits: str):
    return parse_twiml(signed_post(f"/queue/offer-choice?call={call_sid}",
                                   call_params(CallSid=call_sid, Digits=digits)))


def recording_params(call_sid: str, recording_sid: str, *, duration: int = 12,
                     status: str = "completed") -> dict[str, str]:
    return {
        "AccountSid": "AC" + "0" * 31 + "1", "CallSid": call_sid, "RecordingSid": recording_sid,
        "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/{recording_sid}",
        "RecordingStatus": status, "RecordingDuration": str(duration), "RecordingChannels": "1",
        "RecordingSource": "RecordVerb",
    }


def transcription_params(call_sid: str, recording_sid: str, text: str,
                         status: str = "completed") -> dict[str, str]:
    return {
        "AccountSid": "AC" + "0" * 31 + "1", "CallSid": call_sid,
        "TranscriptionSid": "TR" + recording_sid[2:], "TranscriptionText": text,
        "TranscriptionStatus": status, "RecordingSid": recording_sid,
        "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/{recording_sid}",
    }


@pytest.fixture
def frozen():
    """Virtual time from Wednesday 25 November 2026, 10:00 UTC (billing is open). List it
    before `people` so the agents' tokens are issued in the same virtual time."""
    from freezegun import freeze_time

    with freeze_time("2026-11-25 10:00:00") as clock:
        yield clock
