"""The emulator's resources (numbers, calls, conferences, recordings, queues) as plain data."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.parties import Party
    from sim.scheduler import Proc

TERMINAL_CALL_STATUSES = {"completed", "busy", "failed", "no-answer", "canceled"}


def new_sid(prefix: str) -> str:
    return prefix + uuid.uuid4().hex


@dataclass
class Number:
    """An incoming phone number and where its calls go."""

    phone_number: str
    voice_url: str
    voice_method: str = "POST"
    fallback_url: str | None = None
    fallback_method: str = "POST"
    status_callback: str | None = None
    status_callback_method: str = "POST"
    sid: str = field(default_factory=lambda: new_sid("PN"))


@dataclass
class Application:
    """A TwiML App: where calls placed by softphones go."""

    voice_url: str
    voice_method: str = "POST"
    fallback_url: str | None = None
    fallback_method: str = "POST"
    status_callback: str | None = None
    status_callback_method: str = "POST"
    sid: str = field(default_factory=lambda: new_sid("AP"))


@dataclass
class Call:
    sid: str
    account_sid: str
    from_: str
    to: str
    direction: str
    created: datetime
    status: str = "queued"
    parent_call_sid: str | None = None
    forwarded_from: str | None = None
    caller_name: str | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    answered_at: float | None = None
    ended_at: float | None = None
    updated: datetime | None = None
    # Where its TwiML comes from and what happens when that fails.
    url: str | None = None
    method: str = "POST"
    twiml: str | None = None
    fallback_url: str | None = None
    fallback_method: str = "POST"
    timeout: float = 60
    queue_time: int = 0  # ms it waited for the account's CPS (API-created calls)
    # Call progress callbacks.
    status_callback: str | None = None
    status_callback_method: str = "POST"
    status_callback_events: set[str] = field(default_factory=lambda: {"completed"})
    callback_sequence: int = 0
    extra_params: dict[str, str] = field(default_factory=dict)
    # Who is on the far end, and which engine process drives the call.
    party: Party | None = None
    proc: Proc | None = None
    owner: Proc | None = None
    activity: str = "idle"
    awaiting_input: bool = False
    conference_sid: str | None = None
    queue_sid: str | None = None
    bridged_with: str | None = None
    phone_number_sid: str | None = None
    application_sid: str | None = None
    offer_params: dict[str, str] = field(default_factory=dict)
    recording_hint: dict[str, Any] = field(default_factory=dict)

    @property
    def ended(self) -> bool:
        return self.status in TERMINAL_CALL_STATUSES

    def duration(self, now: float) -> int:
        if self.answered_at is None:
            return 0
        end = self.ended_at if self.ended_at is not None else now
        return int(round(end - self.answered_at))


@dataclass
class Participant:
    call_sid: str
    conference_sid: str
    created: datetime
    label: str | None = None
    muted: bool = False
    hold: bool = False
    hold_url: str | None = None
    hold_method: str = "POST"
    coaching: bool = False
    call_sid_to_coach: str | None = None
    start_conference_on_enter: bool = True
    end_conference_on_exit: bool = False
    beep: str = "true"
    status: str = "queued"
    wait_url: str | None = None
    wait_method: str = "POST"
    updated: datetime | None = None
    hearing: tuple | None = None  # what this participant last heard, to log changes only


@dataclass
class Conference:
    sid: str
    account_sid: str
    friendly_name: str
    created: datetime
    status: str = "init"
    participants: dict[str, Participant] = field(default_factory=dict)
    status_callback: str | None = None
    status_callback_method: str = "POST"
    status_callback_events: set[str] = field(default_factory=set)
    sequence: int = 0
    max_participants: int = 250
    reason_ended: str | None = None
    call_sid_ending: str | None = None
    updated: datetime | None = None

    def connected(self) -> list[Participant]:
        return [p for p in self.participants.values() if p.status == "connected"]


@dataclass
class Recording:
    sid: str
    account_sid: str
    call_sid: str
    created: datetime
    start_time: datetime
    duration: int
    conference_sid: str | None = None
    status: str = "completed"
    channels: int = 1
    source: str = "RecordVerb"


@dataclass
class QueueMember:
    call_sid: str
    enqueued: datetime
    enqueued_at: float


@dataclass
class Queue:
    sid: str
    account_sid: str
    friendly_name: str
    created: datetime
    max_size: int = 100
    members: list[QueueMember] = field(default_factory=list)
    waits: list[float] = field(default_factory=list)
    updated: datetime | None = None

    def average_wait(self) -> int:
        return int(round(sum(self.waits) / len(self.waits))) if self.waits else 0


class Store:
    """Every resource, by SID; the engine's lock guards it."""

    def __init__(self) -> None:
        self.numbers: dict[str, Number] = {}
        self.applications: dict[str, Application] = {}
        self.calls: dict[str, Call] = {}
        self.conferences: dict[str, Conference] = {}
        self.recordings: dict[str, Recording] = {}
        self.queues: dict[str, Queue] = {}

    def live_conference(self, name_or_sid: str) -> Conference | None:
        if name_or_sid in self.conferences:
            return self.conferences[name_or_sid]
        for conf in self.conferences.values():
            if conf.friendly_name == name_or_sid and conf.status != "completed":
                return conf
        return None

    def queue_by_name(self, name: str) -> Queue | None:
        return next((q for q in self.queues.values() if q.friendly_name == name), None)
