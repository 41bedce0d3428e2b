"""Ladder steps fired a batch at a time: each once, with its timeline row, offers in parallel."""

from __future__ import annotations

import time

from freezegun import freeze_time
from sqlalchemy import select

from app.extensions import db
from app.interactions.models import Interaction, InteractionEvent
from app.queue import queue_services
from app.queue.services import Caller

START = "2026-11-23 09:00:00"
LADDER = [
    {"at": 0, "action": "announce"},
    {"at": 20, "action": "raise_priority", "by": 2},
    {"at": 30, "action": "widen", "departments": ["support"]},
    {"at": 40, "action": "alert"},
    {"at": 45, "action": "offer"},
]


def join(sid: str, interaction_id: int | None = None) -> None:
    queue_services().service.join(Caller(
        call_sid=sid, department="billing", department_name="Billing", language="en",
        number="+14155550100", interaction_id=interaction_id, customer_id=None, vip=False,
        ladder_settings={"ladder": LADDER}))


def new_interaction(sid: str) -> int:
    row = Interaction(call_sid=sid, from_number="+14155550100", to_number="+15005550006")
    db.session.add(row)
    db.session.commit()
    return row.id


def someone_away() -> None:
    queue_services().store.set_agent_state("busy_bee", "away", ["billing"], time.time(),
                                           "lunch")


def escalated_rows(interaction_id: int) -> list[dict]:
    return [e.detail for e in db.session.scalars(
        select(InteractionEvent).where(InteractionEvent.interaction_id == interaction_id,
                                       InteractionEvent.kind == "escalated")
        .order_by(InteractionEvent.id))]


def test_every_step_lands_once_on_the_calls_timeline(app, monkeypatch):
    redirected: list[str] = []
    with freeze_time(START) as frozen, app.app_context():
        someone_away()
        service = queue_services().service
        monkeypatch.setattr(type(service.gateway), "redirect_call",
                            lambda self, sid, url: redirected.append(url))
        ids = {f"CA{i}": new_interaction(f"CA{i}") for i in range(3)}
        for sid, interaction_id in ids.items():
            join(sid, interaction_id)
        for _ in range(50):
            frozen.tick(1)
            queue_services().hold_clock().tick()
        for interaction_id in ids.values():
            steps = [(e["step"], e["waited"]) for e in escalated_rows(interaction_id)]
            assert steps == [("announce", 1.0), ("raise_priority", 20.0), ("widen", 30.0),
                             ("alert", 40.0), ("offer", 45.0)]
        store = service.store
        assert store.redis.llen(f"{store.keys.prefix}:timeline:pending") == 0
        assert store.waiting("support") == []  # parked for the offer: out of every line
        assert store.call("CA0")["state"] == "in_offer"
        assert store.call("CA0")["priority"] == "2"
    base = app.config["PUBLIC_BASE_URL"].rstrip("/")
    assert sorted(redirected) == [f"{base}/queue/offer?call=CA{i}" for i in range(3)]
    alerts = [e for e in floor_events_recent(app) if e["type"] == "alert.long_wait"]
    assert sorted(e["call_sid"] for e in alerts) == ["CA0", "CA1", "CA2"]


def floor_events_recent(app) -> list[dict]:
    with app.app_context():
        return queue_services().events.recent(500)


def test_a_failed_offer_puts_the_caller_back_and_is_retried(app, monkeypatch):
    calls: list[str] = []

    def redirect(self, sid: str, url: str) -> None:
        calls.append(sid)
        if sid == "CA1" and calls.count("CA1") == 1:
            raise RuntimeError("Twilio is having a moment")

    with freeze_time(START) as frozen, app.app_context():
        someone_away()
        service = queue_services().service
        monkeypatch.setattr(type(service.gateway), "redirect_call", redirect)
        for i in range(4):
            join(f"CA{i}")
        frozen.tick(45.5)
        queue_services().hold_clock().tick()  # the four offers at once, side by side
        store = service.store
        assert sorted(calls) == ["CA0", "CA1", "CA2", "CA3"]
        assert store.call("CA1")["state"] == "waiting"  # back in line, at their place
        assert store.waiting("billing") == ["CA1"]
        assert [store.call(f"CA{i}")["state"] for i in (0, 2, 3)] == ["in_offer"] * 3
        frozen.tick(31)  # past any lease
        queue_services().hold_clock().tick()
        assert store.call("CA1")["state"] == "in_offer"
        assert calls.count("CA1") == 2
    offers = [e for e in floor_events_recent(app)
              if e["type"] == "call.escalated" and e["step"] == "offer"]
    assert sorted(e["call_sid"] for e in offers) == ["CA0", "CA1", "CA2", "CA3"]


def test_buffered_events_are_written_once_and_a_deleted_calls_are_dropped(app):
    from app.interactions.timeline import TimelineBuffer

    with app.app_context():
        store = queue_services().service.store
        buffer = TimelineBuffer(store.redis, f"{store.keys.prefix}:timeline:test")
        kept = new_interaction("CA-kept")
        pipe = store.redis.pipeline()
        buffer.push(pipe, kept, "escalated", {"step": "announce"}, 1795430525.985)
        buffer.push(pipe, kept + 999, "escalated", {"step": "alert"}, 1795430526.0)
        pipe.execute()
        assert buffer.flush() == 1
        assert buffer.flush() == 0  # popped once: nothing written twice
        assert escalated_rows(kept) == [{"step": "announce"}]
        assert store.redis.llen(buffer.key) == 0
