"""Fault 4: a web process is killed (SIGKILL) in the middle of a request.

Two callers wait in line. A third caller's menu choice is held inside a gunicorn worker (the
database is locked, so its first write waits), and that worker is killed. Twilio gets
no answer and asks the number's fallback URL, which another worker answers without the
database: an apology and the general voicemail box, where the caller's message is stored
once the database is back. Nothing lived in the dead process: the master starts a new
worker, the waiting callers keep their music and their places, and the first of them
reaches the agent.
"""

from __future__ import annotations

import signal
import time
from datetime import UTC, datetime, timedelta

import psutil
import pytest
from sqlalchemy import select

from app.extensions import db
from app.voicemail.models import Callback, Voicemail
from tests.faults.conftest import CALLERS, until
from tests.faults.test_database_down import database_locked

pytestmark = pytest.mark.faults

FALLBACK = "we are having trouble connecting your call right now. Please leave your name"
MESSAGE = " ".join(["I was cut off, please call me back about my order."] * 5)


def workers_serving_the_emulator(stack) -> list[int]:
    """The gunicorn workers holding a connection the emulator opened to the web port."""
    sim = psutil.Process(stack.procs["sim"].pid)
    ports = {c.laddr.port for c in sim.net_connections(kind="tcp")
             if c.raddr and c.raddr.port == stack.web_port and c.status == "ESTABLISHED"}
    owners = []
    for pid in stack.web_workers():
        conns = psutil.Process(pid).net_connections(kind="tcp")
        if any(c.raddr and c.raddr.port in ports for c in conns):
            owners.append(pid)
    return owners


def wait_statuses_sent_after(stack, moment: datetime, sid: str) -> list[int]:
    """Statuses of `sid`'s hold-music requests the emulator sent after `moment`.

    The emulator sends webhooks concurrently and logs each when its answer (or failure)
    came, so a request that was inside the killed worker is logged after the kill with no
    answer: it was sent before it, and is not one of these.
    """
    statuses = []
    for e in stack.events("webhook"):
        if e.get("call_sid") != sid or e["purpose"] != "wait":
            continue
        sent = datetime.fromisoformat(e["at"].replace("Z", "+00:00")) - timedelta(
            seconds=e.get("elapsed", 0))
        if sent > moment:
            statuses.append(e["status"])
    return statuses


def test_a_worker_killed_mid_request_loses_nothing(stack):
    stack.softphone("fay", answer_after=0.3)
    stack.set_agent("fay", "away", "meeting")
    first, second = (stack.queue_caller(n) for n in CALLERS[12:14])
    line = stack.redis_client().zrange("{cc}:q:support", 0, -1)
    assert line == [first, second]
    workers = stack.web_workers()
    assert len(workers) == 2

    newcomer = stack.dial_in(CALLERS[14])
    until(lambda: stack.call(newcomer)["awaiting_input"], 10, "the newcomer hears the menu")
    with database_locked(stack.database):
        # The greeting needs no database write (the call's row is written behind it); the
        # menu choice does: it waits for the database inside one worker: kill that one.
        stack.press(newcomer, "2")
        # The choice is on its way (not merely queued in the emulator) before anyone is killed.
        until(lambda: not stack.call(newcomer)["awaiting_input"], 10, "the choice is sent")
        # Sent is not yet received: the emulator keeps idle connections to both workers, so
        # give the request a moment to reach the worker that will hold it on the lock (held
        # for this whole block), then kill every worker the emulator is connected to.
        choice_sent = time.monotonic()
        victims = until(lambda: time.monotonic() - choice_sent > 1.0
                        and workers_serving_the_emulator(stack), 10,
                        "a worker is serving the newcomer's webhook")
        for pid in victims:
            psutil.Process(pid).send_signal(signal.SIGKILL)
        killed_at = datetime.now(UTC)
        until(lambda: stack.has_heard(newcomer, FALLBACK), 20,
              lambda: f"the newcomer hears the fallback: {stack.heard(newcomer)}")
    fallback = [e for e in stack.events("webhook")
                if e.get("call_sid") == newcomer and e["purpose"] != "voice"]
    assert [(e["purpose"], e["status"]) for e in fallback[:2]] == [("gather", 0),
                                                                     ("fallback", 200)]
    assert fallback[1]["params"]["ErrorCode"] == "11200"
    assert not stack.events("application_error")

    # The master replaced the dead worker; the waiting callers' music went on meanwhile.
    until(lambda: len(stack.web_workers()) == 2 and not set(victims) & set(
        stack.web_workers()), 20, "a new worker")
    for sid in (first, second):
        until(lambda s=sid: wait_statuses_sent_after(stack, killed_at, s), 20,
              "the hold music is requested again")
        assert set(wait_statuses_sent_after(stack, killed_at, sid)) == {200}
        assert stack.call(sid)["activity"] == "conference"
    assert stack.redis_client().zrange("{cc}:q:support", 0, -1) == [first, second]

    # The newcomer's message is kept; the first in line reaches the agent.
    until(lambda: stack.call(newcomer)["activity"] == "record", 20, "the beep")
    stack.say(newcomer, MESSAGE)
    stack.set_agent("fay", "available")
    until(lambda: stack.redis_client().hget("{cc}:agent:fay", "call") == first, 20,
          "fay takes the first caller")
    assert stack.redis_client().zrange("{cc}:q:support", 0, -1) == [second]
    until(lambda: stack.call(newcomer)["status"] == "completed", 30, "the message ends")

    def kept() -> bool:
        with stack.app.app_context():
            message = db.session.scalars(select(Voicemail).where(
                Voicemail.call_sid == newcomer)).first()
            callback = db.session.scalars(select(Callback).where(
                Callback.call_sid == newcomer)).first()
            db.session.rollback()
            return message is not None and callback is not None

    until(kept, 20, "the newcomer's message and callback are stored")
