"""IVR test helpers: demo data, and a caller that follows the TwiML the way Twilio does."""

from __future__ import annotations

import time
from dataclasses import dataclass
from xml.etree.ElementTree import Element

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.floor.models import Department
from app.interactions import pending
from app.interactions.models import Interaction
from app.queue import queue_services
from tests.conftest import PUBLIC_BASE_URL, call_params, parse_twiml

ADMIN = {"Authorization": "Bearer dev-admin-token"}

# Wednesday 25 November 2026, 10:30 in Kolkata and 13:00 in Kuala Lumpur: everything is open.
OPEN_HOURS = "2026-11-25 05:00:00"

ASHA = "+919876543210"
NURUL = "+60123456789"


@dataclass(frozen=True)
class Spoken:
    text: str
    voice: str | None
    language: str | None


def spoken(root: Element) -> list[Spoken]:
    return [Spoken(s.text or "", s.get("voice"), s.get("language")) for s in root.iter("Say")]


def words(root: Element) -> str:
    return " ".join(s.text for s in spoken(root))


def assert_speaks_at_once(root: Element) -> None:
    first = root[0]
    assert first.tag in ("Say", "Gather"), first.tag
    if first.tag == "Gather":
        assert len(first) and first[0].tag == "Say"


def assert_queued(root: Element) -> None:
    """The caller was handed to the queue: they now wait in a conference of their own."""
    dial = root[-1]
    assert dial.tag == "Dial", dial.tag
    conference = dial.find("Conference")
    assert conference is not None and conference.get("startConferenceOnEnter") == "false"


@pytest.fixture
def demo(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["ivr", "seed-demo"])
    assert result.exit_code == 0, result.output
    # Someone is signed in everywhere (busy), so a caller handed off waits in the queue;
    # nobody signed in at all is the queue's own path, tested there.
    with app.app_context():
        store = queue_services().store
        for department in db.session.scalars(select(Department)):
            store.set_agent_state(f"agent_{department.slug}", "away", [department.slug],
                                  time.time(), "in a meeting")


class Caller:
    """One phone call: dial in, then answer each <Gather> or let it time out."""

    def __init__(self, signed_post, call_sid: str, from_number: str) -> None:
        self.post = signed_post
        self.params = call_params(CallSid=call_sid, From=from_number, CallStatus="in-progress")
        self.root: Element | None = None

    def dial(self) -> Element:
        self.root = parse_twiml(self.post("/ivr/incoming", self.params))
        assert_speaks_at_once(self.root)
        return self.root

    def press(self, digits: str) -> Element:
        return self._answer({"Digits": digits})

    def say(self, speech: str) -> Element:
        return self._answer({"SpeechResult": speech, "Confidence": "0.9"})

    def stay_silent(self) -> Element:
        """The <Gather> times out: Twilio carries on with the <Redirect> after it."""
        redirect = self.root.find("Redirect")
        assert redirect is not None, "a Gather must be followed by a Redirect for no input"
        return self._go(redirect.text, {})

    def _answer(self, extra: dict[str, str]) -> Element:
        gather = self.root.find("Gather")
        assert gather is not None, "nothing is listening for the caller's answer"
        return self._go(gather.get("action"), extra)

    def _go(self, url: str, extra: dict[str, str]) -> Element:
        assert url.startswith(PUBLIC_BASE_URL), url
        self.root = parse_twiml(self.post(url[len(PUBLIC_BASE_URL):], {**self.params, **extra}))
        assert_speaks_at_once(self.root)
        return self.root


@pytest.fixture
def phone(signed_post):
    counter = iter(range(1, 10_000))

    def dial(from_number: str) -> Caller:
        return Caller(signed_post, f"CA{next(counter):032d}", from_number)

    return dial


def interaction(app: Flask, call_sid: str | None = None) -> Interaction:
    with app.app_context():
        pending.write()  # the incoming webhook's row is written behind its answer
        query = select(Interaction).order_by(Interaction.id.desc())
        if call_sid:
            query = query.where(Interaction.call_sid == call_sid)
        row = db.session.scalars(query).first()
        row.events  # noqa: B018 - load the timeline before the session closes
        db.session.expunge(row)
        return row


def events(row: Interaction) -> list[tuple[str, dict]]:
    return [(e.kind, e.detail) for e in row.events]
