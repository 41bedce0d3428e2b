"""Whole calls with callbacks in any order: the same outcome as in order, seed after seed.

Twilio sends each callback as its own request, with no order between a conference's events,
a leg's progress and a Dial action, and a retried request arrives twice (sim/chaos.py).
Each scenario runs once in order and then under chaos with several seeds (SIM_CHAOS_SEEDS,
comma-separated, overrides them), each run on a fresh database; what the caller and the
agent heard, who was connected to whom, and the rows written must not change.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.interactions.models import Interaction
from app.queue import queue_services
from app.voicemail.models import Callback, Voicemail
from sim.parties import CallHandle, Party
from tests.conftest import (
    TEST_DATABASE_URL,
    create_postgres_database,
    drop_postgres_database,
    make_settings,
)
from tests.flows.conftest import ASHA, NUMBER, OPEN_HOURS, Floor, emulated_floor

JORDAN = "+12025550143"  # a demo customer who speaks English
SEEDS = [int(s) for s in os.environ.get("SIM_CHAOS_SEEDS", "11,23,37,41,59").split(",") if s]


# -- the calls ------------------------------------------------------------------------------

def _answered(floor: Floor) -> dict[str, Party]:
    amy = floor.agent("amy", ["billing"])
    call = floor.emu.dial_in(ASHA, NUMBER)
    floor.wait_until(lambda: call.gathering, timeout=60)
    call.press("1")
    floor.wait_until(lambda: amy.is_ringing, timeout=30)
    amy.answer()
    floor.wait(3)
    call.say("Hello, my bill is wrong")
    amy.say("Let me look into it")
    floor.wait(2)
    return {"caller": call, "amy": amy}


def caller_hangs_up_after_talking(floor: Floor) -> dict[str, Party]:
    parties = _answered(floor)
    parties["caller"].hangup()
    floor.wait(15)  # wrap-up ends
    return parties


def agent_hangs_up_first(floor: Floor) -> dict[str, Party]:
    parties = _answered(floor)
    parties["amy"].hangup()
    call = parties["caller"]
    floor.wait_until(lambda: call.ended or call.gathering, timeout=60)
    if not call.ended:
        call.press("5")  # the survey's best mark
    floor.wait_until(lambda: call.ended, timeout=60)
    floor.wait(15)
    return parties


def caller_hangs_up_while_the_agent_rings(floor: Floor) -> dict[str, Party]:
    amy = floor.agent("amy", ["billing"])
    amy.answer_after = None
    call = floor.emu.dial_in(ASHA, NUMBER)
    floor.wait_until(lambda: call.gathering, timeout=60)
    call.press("1")
    floor.wait_until(lambda: amy.is_ringing, timeout=30)
    call.hangup()
    floor.wait(10)
    return {"caller": call, "amy": amy}


def message_with_nobody_signed_in(floor: Floor) -> dict[str, Party]:
    call = floor.emu.dial_in(JORDAN, NUMBER)
    floor.wait_until(lambda: call.gathering, timeout=60)
    call.press("1")  # billing: nobody signed in, the way out at once
    floor.wait_until(lambda: call.gathering and call.has_heard("press 2"), timeout=60)
    call.set_transcription("Jordan here, please call me back about my bill.")
    call.press("2")
    floor.emu.run_until(lambda: call.recording, timeout=60)
    call.say("Jordan here please call me back about my bill")
    floor.emu.advance(4)
    call.press("#")
    floor.emu.run_until(lambda: call.ended, timeout=60)
    floor.wait(10)  # the recording and transcription callbacks
    return {"caller": call}


def keeps_waiting_after_the_offer_then_answered(floor: Floor) -> dict[str, Party]:
    amy = floor.agent("amy", ["billing"], state="away")
    call = floor.emu.dial_in(JORDAN, NUMBER)
    floor.wait_until(lambda: call.gathering, timeout=60)
    call.press("1")
    floor.wait_until(lambda: call.in_conference, timeout=60)
    floor.wait_until(lambda: call.gathering, timeout=58)  # the offer, at 45 s
    call.press("1")  # keep waiting: a new room
    floor.wait_until(lambda: call.in_conference, timeout=30)
    floor.wait(2)
    floor.set_state("amy", ["billing"], "available")
    floor.wait_until(lambda: amy.is_ringing, timeout=10)
    amy.answer()
    floor.wait(3)
    call.hangup()
    floor.wait(15)
    return {"caller": call, "amy": amy}


SCENARIOS: dict[str, Callable[[Floor], dict[str, Party]]] = {
    "caller hangs up after talking": caller_hangs_up_after_talking,
    "agent hangs up first": agent_hangs_up_first,
    "caller hangs up while the agent rings": caller_hangs_up_while_the_agent_rings,
    "message with nobody signed in": message_with_nobody_signed_in,
    "keeps waiting after the offer, then answered": keeps_waiting_after_the_offer_then_answered,
}


# -- what must not change ---------------------------------------------------------------------

def _collapsed(texts: list[str]) -> list[str]:
    """Said texts in order, a repeat of the one before dropped (a wait loop may turn once
    more or less when a callback is late; what was said is what counts)."""
    out: list[str] = []
    for text in texts:
        if not out or out[-1] != text:
            out.append(text)
    return out


def heard(party: Party | CallHandle) -> dict[str, Any]:
    connected_to = sorted({str(h.detail.get("to")) for h in party.heard
                           if h.kind == "connected"})
    in_conference_with = sorted({who for h in party.heard if h.kind == "conference"
                                 for who in (h.detail.get("hears") or [])})
    return {"says": _collapsed(party.says()), "connected to": connected_to,
            "heard in conference": in_conference_with,
            "hung up": any(h.kind == "hangup" for h in party.heard)}


def rows(app: Flask) -> dict[str, Any]:
    with app.app_context():
        from app.interactions import pending

        pending.write()  # rows staged in Redis by the incoming webhook
        interactions = [
            {"from": i.from_number, "status": i.status, "answered": i.answered_at is not None,
             "agent": i.agent_identity, "abandoned": i.abandoned, "ended": i.ended_at is not None,
             "events": sorted(e.kind for e in i.events)}
            for i in db.session.scalars(select(Interaction).order_by(Interaction.from_number))]
        callbacks = [(c.kind, c.status, c.number, sorted(e.action for e in c.events))
                     for c in db.session.scalars(select(Callback).order_by(Callback.number))]
        messages = [(m.transcription_status, m.transcription_text, m.duration_seconds)
                    for m in db.session.scalars(select(Voicemail))]
        agents = {a: queue_services().store.agent(a).get("state") for a in ("amy",)}
        db.session.rollback()
    return {"interactions": interactions, "callbacks": callbacks, "messages": messages,
            "agents": agents}


def outcome(app: Flask, parties: dict[str, Party]) -> dict[str, Any]:
    return {"heard": {name: heard(p) for name, p in parties.items()}, "rows": rows(app)}


def differences(expected: Any, got: Any, where: str = "") -> list[str]:
    if isinstance(expected, dict) and isinstance(got, dict):
        return [line for key in sorted(set(expected) | set(got), key=str)
                for line in differences(expected.get(key), got.get(key), f"{where}/{key}")]
    if expected != got:
        return [f"{where}: in order {expected!r}, under chaos {got!r}"]
    return []


# -- runs on fresh databases -------------------------------------------------------------------

@contextmanager
def fresh_app(request: pytest.FixtureRequest, tmp_path: Path, redis_url: str,
              template: Path, run: int) -> Iterator[Flask]:
    """What the `app` fixture gives, once more: its own database, Redis emptied."""
    database = tmp_path / f"run{run}.sqlite3"
    name = None
    if TEST_DATABASE_URL:
        from tests.conftest import _POSTGRES_BY_PATH

        name = f"cc_chaos_{os.getpid()}_{run}"
        _POSTGRES_BY_PATH[database] = create_postgres_database(
            name, request.getfixturevalue("postgres_template"))
    else:
        shutil.copyfile(template, database)
    redis.Redis.from_url(redis_url).flushdb()
    app = create_app(make_settings(database, redis_url))
    try:
        yield app
    finally:
        if name is not None:
            with app.app_context():
                db.engine.dispose()
            drop_postgres_database(name)


def run_once(request, tmp_path, redis_server, migrated_database, scenario: str,
             seed: int | None, run: int) -> tuple[dict[str, Any], Any]:
    with fresh_app(request, tmp_path, redis_server.url, migrated_database, run) as app, \
            emulated_floor(app, OPEN_HOURS, chaos=seed) as emu:
        floor = Floor(app, emu)
        parties = SCENARIOS[scenario](floor)
        return outcome(app, parties), emu.chaos


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_callbacks_in_any_order_change_nothing(request, tmp_path, redis_server,
                                               migrated_database, scenario):
    in_order, _ = run_once(request, tmp_path, redis_server, migrated_database, scenario,
                           None, 0)
    for run, seed in enumerate(SEEDS, start=1):
        got, chaos = run_once(request, tmp_path, redis_server, migrated_database, scenario,
                              seed, run)
        assert chaos is not None and chaos.plan, "no callback went through the chaos"
        changed = differences(in_order, got)
        assert not changed, (f"seed {seed} changed the outcome of {scenario!r}:\n"
                             + "\n".join(changed) + f"\nwhat chaos did: {chaos.plan}")


def test_chaos_really_reorders_duplicates_and_overlaps(request, tmp_path, redis_server,
                                                       migrated_database):
    """The seeds above are not idle: across them callbacks came late, twice, concurrently,
    and a conference's events out of their SequenceNumber order."""
    late = twice = together = reordered = 0
    for run, seed in enumerate(SEEDS, start=1):
        with fresh_app(request, tmp_path, redis_server.url, migrated_database, run) as app, \
                emulated_floor(app, OPEN_HOURS, chaos=seed) as emu:
            caller_hangs_up_after_talking(Floor(app, emu))
            late += sum(1 for _, waits in emu.chaos.plan if waits[0] > 0)
            twice += sum(1 for _, waits in emu.chaos.plan if len(waits) > 1)
            sent = [e for e in emu.events if e["type"] == "webhook"]
            together += sum(1 for e in sent if e.get("detached"))
            seqs = [int(e["params"]["SequenceNumber"]) for e in sent
                    if e["purpose"].startswith("conference:")]
            reordered += any(b < a for a, b in zip(seqs, seqs[1:], strict=False))
    assert late and twice and together and reordered, (late, twice, together, reordered)
