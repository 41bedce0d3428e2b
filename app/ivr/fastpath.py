"""The incoming-call fast path: a call's first webhook, answered with less work than any
other webhook does, at the price of the row reaching SQL later. The only module that knows
it; the IVR calls it through one function, `answer` (from `CallFlow.incoming`).

What it trades, each measured (bench/README.md, "incoming": in-process CPU per request of the
whole webhook, and gunicorn under load, against the same code without it):

1. **The call's row is written behind the answer** (`app/interactions/pending.py`). The row
   and its first events are staged in Redis, in the round trip that also checks the
   configuration version (4), and the clock process's writer inserts them in batches.
   Gained: no INSERT, COMMIT or database write lock on the path (on SQLite, one lock for
   the whole database, fought over by every web process). Delayed: the row is in SQL once
   the writer ran (every 0.25 s; while the clock process is down, the row waits in Redis for
   up to a week). Nobody sees the delay: every reader by CallSid
   (`interactions.services.find_by_call_sid`) inserts a still-staged row itself, and writer
   and reader both insert with ON CONFLICT DO NOTHING, so no row is written twice. Can be
   lost: a staged row Redis loses before the writer ran (Redis on a machine that loses
   power loses what its append-only file had not synced: the last second with `appendfsync
   everysec`, docs/scaling.md). The call goes on (its next webhook opens a new row) without
   the greeting's events and its link to the customer. With Redis unreachable, the row goes
   straight to SQL, as without the fast path.
2. **The caller's look-up runs on a per-thread autocommit DB-API connection** outside the
   engine's pool (`_Lookups`): no pool checkout with its ping, no transaction, no rollback.
   Costs: one more connection per web thread, outside the pool's limit (mind PostgreSQL's
   `max_connections`). Nothing is lost: a driver error drops the connection and the look-up
   runs again on the session's.
3. **Answers rendered once per configuration version** (`app/telephony/template.py`), with
   holes for the caller's name: a call only escapes the name into the document. Nothing is
   lost: a template that does not render a probe name exactly as a full render does is not
   used, and with Redis (which holds the version) down every call renders in full.
4. **The configuration version is assumed**, not read (`floor.cache.assume_last_version`):
   the answer is rendered with the version this process saw last, and checked in the
   staging round trip (1). If it moved, nothing was staged and the answer is rendered again,
   so a prompt edit in another process is still heard on the very next call; a hand-off,
   which cannot be taken back, checks it first (`cache.confirm_version`).

A retried first webhook (its row already staged or written) starts again from that row and
greets the caller again, as any webhook of the IVR would.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import redis
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.clock import now
from app.customers import services as customers
from app.customers.services import Caller
from app.extensions import db
from app.floor import cache
from app.interactions import pending
from app.interactions import services as interactions
from app.interactions.models import Interaction
from app.interactions.newcall import NewCall
from app.telephony import TwimlTemplate, VoiceResponse

log = logging.getLogger(__name__)

# Renders with an assumed version before giving up on assuming (edits in a tight loop).
MAX_RENDERS = 3
# One first-webhook writer per process when Redis is down: SQLite has one write lock per
# database, and a thread that finds it taken sleeps in SQLite's busy handler (1, 2, 5,
# 10 ms...) long after it was freed; waiting here wakes the next thread the moment it is.
_FIRST_WRITE_LOCK = threading.Lock()


@dataclass(frozen=True)
class FirstCall:
    """A call's first webhook, as the fast path needs it."""

    call_sid: str
    from_number: str
    to_number: str
    direction: str
    # The caller ID to look the customer up by (None: withheld, a softphone), and the region
    # a national number is read in.
    caller_id: str | None
    region: str


@dataclass(frozen=True)
class Templated:
    """An answer the same for every caller but for `values`: `build(**values)`, rendered
    once per configuration version under `key` and filled per call."""

    key: str
    build: Callable[..., VoiceResponse]
    values: Mapping[str, str] = field(default_factory=dict)


Answer = VoiceResponse | Templated
# The IVR's first step: the answer for this caller (None: not a customer), recording on the
# call's row what it decided (events, customer, language).
FirstStep = Callable[[Caller | None, Interaction | NewCall], Answer]


def answer(call: FirstCall, step: FirstStep) -> VoiceResponse | str:
    """Answer a call's first webhook: look the caller up, run `step`, render its answer and
    write the call's row (staged, or committed), as the module docstring describes."""
    caller = customers.caller_by_number(call.caller_id, call.region, by_phone=_caller_by_phone) \
        if call.caller_id is not None else None
    cache.assume_last_version()
    for _attempt in range(MAX_RENDERS):
        try:
            return _answer(call, step, caller, first=True)
        except cache.StaleVersion:
            # Prompts or departments changed since: nothing was written, render again with
            # the version Redis reported.
            db.session.rollback()
        except (IntegrityError, _AlreadyStaged):
            # The call's row exists already (Twilio retried this webhook, or two copies of
            # it raced): nothing was sent anywhere yet, so start again from that row.
            db.session.rollback()
            return _answer(call, step, caller, first=False)
    cache.confirm_version()
    return _answer(call, step, caller, first=True)


def _answer(call: FirstCall, step: FirstStep, caller: Caller | None, first: bool
            ) -> VoiceResponse | str:
    # The first time, the row is a plain NewCall, not looked for (a row already there is a
    # rare retry, caught when it is written) and kept out of the session.
    row: Interaction | NewCall = NewCall(
        call_sid=call.call_sid, from_number=call.from_number, to_number=call.to_number,
        direction=call.direction) if first else interactions.open_interaction(
        call.call_sid, from_number=call.from_number, to_number=call.to_number,
        direction=call.direction)
    response = _render(step(caller, row))
    _write(row)
    return response


def _render(chosen: Answer) -> VoiceResponse | str:
    if not isinstance(chosen, Templated):
        return chosen
    template = None
    if cache.current_version() is not None:  # Redis down: no version to keep it under
        template = cache.cache().get(
            f"rendered.{chosen.key}", lambda: TwimlTemplate.of(chosen.build, *chosen.values))
    return template.fill(chosen.values) if template is not None \
        else chosen.build(**chosen.values)


def _write(row: Interaction | NewCall) -> None:
    """Commit the first webhook. A row the step kept out of the session (it answered with a
    question, not a hand-off) is staged in Redis, in the round trip that also checks the
    version the answer used; with Redis down, written with two plain INSERTs."""
    if not isinstance(row, NewCall) or row.model is not None:
        db.session.commit()  # the row is in the session (a retry, or a hand-off)
        return
    version = cache.current_version()
    if version is not None:
        try:
            outcome, current = pending.stage(row, now(), version)
        except redis.RedisError as err:
            log.warning("Redis unreachable (%s): writing call %s's row to SQL", err,
                        row.call_sid)
            cache.settle_version(None)  # re-render from SQL if the version was assumed
        else:
            cache.settle_version(current)
            if outcome == pending.RETRY:
                raise _AlreadyStaged(row.call_sid)
            return
    with _FIRST_WRITE_LOCK:
        interactions.insert_new(row)
        db.session.commit()


class _AlreadyStaged(Exception):  # noqa: N818 - a signal, caught in `answer`
    """A row is already staged for this call: the first webhook is being retried."""


def _caller_by_phone(e164: str) -> Caller | None:
    lookups = _Lookups.of_app()
    try:
        row = lookups.caller(e164)
    except Exception:  # noqa: BLE001 - any DB-API error: drop the connection, use the session
        log.warning("caller look-up connection failed; using the session's", exc_info=True)
        lookups.forget()
        return customers.caller_by_phone(e164)
    return Caller(*row) if row is not None else None


class _Lookups(threading.local):
    """One read-only autocommit DB-API connection per thread (per app) for the caller's
    look-up (`customers.caller_by_phone_query`, compiled once per dialect).

    Out of the engine's pool on purpose (a pooled connection is pinged and reset on every
    checkout); autocommit, so it never holds a snapshot or a lock between look-ups. It dies
    with its thread or its app.
    """

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.connection: Any = None
        compiled = customers.caller_by_phone_query().compile(dialect=engine.dialect)
        self.sql = compiled.string
        self.positional = engine.dialect.positional
        self.order = compiled.positiontup or []
        self.fixed = dict(compiled.params)  # the LIMIT's own bound value

    @classmethod
    def of_app(cls) -> _Lookups:
        extensions = current_app.extensions
        lookups = extensions.get("ivr.fastpath.lookups")
        if lookups is None or lookups.engine is not db.engine:
            lookups = extensions["ivr.fastpath.lookups"] = cls(db.engine)
        return lookups

    def caller(self, e164: str) -> tuple[Any, ...] | None:
        connection = self.connection or self._connect()
        params: Any = {**self.fixed, "number": e164}
        if self.positional:
            params = tuple(params[name] for name in self.order)
        cursor = connection.cursor()
        try:
            cursor.execute(self.sql, params)
            # fetchall, not fetchone: an unfinished statement would keep SQLite's read
            # snapshot (and so hold back WAL checkpoints) until the next look-up.
            rows = cursor.fetchall()
        finally:
            cursor.close()
        return tuple(rows[0]) if rows else None

    def _connect(self) -> Any:
        dialect = self.engine.dialect
        cargs, cparams = dialect.create_connect_args(self.engine.url)
        connection = dialect.connect(*cargs, **cparams)
        if dialect.name == "sqlite":
            connection.isolation_level = None  # autocommit: no snapshot kept between reads
            connection.execute("PRAGMA query_only=ON")
        else:
            connection.autocommit = True
        self.connection = connection
        return connection

    def forget(self) -> None:
        connection, self.connection = self.connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                connection.close()
