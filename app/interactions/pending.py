"""New calls' rows, written behind the answer: staged in Redis by the incoming-call fast path
(app/ivr/fastpath.py, which says what that trades), inserted into SQL in batches by the clock
process, found by every reader before that.

Why: an INSERT and a COMMIT on the first webhook's path take the database's write lock (on
SQLite, one for the whole database, fought over by every web process) and about a third of
the webhook's CPU. The row is instead staged in Redis in the same round trip as the
configuration-version check (`stage_script`), and the caller hears the greeting at once.

Redis keys (one hash tag, so one cluster slot):
- `{tag}:interactions:new:<CallSid>`: the row and its first timeline events as JSON, or
  `WRITTEN` once it is in SQL; expires (a week pending, a day written).
- `{tag}:interactions:new`: the list of CallSids waiting for the writer, oldest first.
- `{tag}:interactions:writer`: the writer's lease, so one writer at a time works on the list.

Nothing is lost or written twice: the writer reads the head of the list, inserts with
`ON CONFLICT (call_sid) DO NOTHING`, commits, then marks the keys `WRITTEN` and only then
removes those CallSids from the list; a writer killed half-way leaves them for the next,
which skips the rows already there. A reader (`materialise`) inserts a pending row itself the
same way, in its own transaction, so it never waits for the writer; a row's timeline events
go in with the row by whoever inserted it, never by the other.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import redis
from flask import current_app
from sqlalchemy import insert
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db, redis_client
from app.interactions.models import Interaction, InteractionEvent
from app.interactions.newcall import NewCall
from config import app_settings

log = logging.getLogger(__name__)

WRITTEN = "w"
PENDING_TTL = 7 * 24 * 3600  # the writer may be down for a while: keep the row meanwhile
WRITTEN_TTL = 24 * 3600  # long past any retry of the first webhook by Twilio
WRITER_LEASE_MS = 30_000
BATCH = 500

# The columns a first webhook sets (the others keep their defaults, as an ORM insert would).
COLUMNS = ("call_sid", "direction", "from_number", "to_number", "customer_id",
           "department_id", "language")

# Stage a new call's row, unless the configuration changed since the caller rendered its
# answer (then nothing is written and the caller renders again with the version returned).
# Returns {outcome, version}: 1 staged, 2 a row is already staged for this call (a retry),
# 0 the version differs.
# KEYS: version, row, list. ARGV: version the answer used, row JSON, TTL, CallSid.
_STAGE = """
local v = redis.call('GET', KEYS[1]) or '-'
if v ~= ARGV[1] then return {0, v} end
if redis.call('SET', KEYS[2], ARGV[2], 'NX', 'EX', ARGV[3]) then
  redis.call('RPUSH', KEYS[3], ARGV[4])
  return {1, v}
end
return {2, v}
"""
_STAGE_SHA = hashlib.sha1(_STAGE.encode()).hexdigest()

STAGED, RETRY, STALE = 1, 2, 0


def _prefix() -> str:
    return "{" + app_settings().REDIS_KEY_TAG + "}:interactions:new"


def row_key(call_sid: str) -> str:
    return f"{_prefix()}:{call_sid}"


def list_key() -> str:
    return _prefix()


def encode(interaction: NewCall, started_at: datetime) -> str:
    """A transient interaction and its staged events as the JSON the writer inserts."""
    row = {name: getattr(interaction, name) for name in COLUMNS}
    row["started_at"] = started_at.timestamp()
    row["events"] = [[e.kind, e.detail, e.at.timestamp()] for e in interaction.events]
    return json.dumps(row, separators=(",", ":"))


def stage(interaction: NewCall, started_at: datetime, version: str) -> tuple[int, str]:
    """Stage a first webhook's row in one Redis round trip, guarded by the configuration
    `version` the answer was rendered with: (STAGED | RETRY | STALE, current version).
    Raises redis.RedisError when Redis is unreachable (the caller writes to SQL instead)."""
    keys = [_version_key(), row_key(interaction.call_sid), list_key()]
    args = [version, encode(interaction, started_at), PENDING_TTL, interaction.call_sid]
    try:
        outcome, current = redis_client.evalsha(_STAGE_SHA, len(keys), *keys, *args)
    except redis.exceptions.NoScriptError:
        outcome, current = redis_client.eval(_STAGE, len(keys), *keys, *args)
    return int(outcome), current


def _version_key() -> str:
    from app.floor.cache import version_key  # the IVR depends on interactions, not the reverse

    return version_key()


def _decode(call_sid: str, raw: str) -> dict[str, Any] | None:
    try:
        row = json.loads(raw)
        values = {name: row.get(name) for name in COLUMNS}
        values["call_sid"] = call_sid
        values["started_at"] = datetime.fromtimestamp(float(row["started_at"]), UTC)
        values["_events"] = [
            {"kind": kind, "detail": detail, "at": datetime.fromtimestamp(float(at), UTC)}
            for kind, detail, at in row.get("events", [])
        ]
        return values
    except (ValueError, TypeError, KeyError):
        log.error("dropping a malformed staged interaction for call %s: %r", call_sid, raw)
        return None


def _insert_rows(rows: list[dict[str, Any]]) -> int:
    """Insert the rows not already there and, for those only, their events; on the
    session's connection, in its transaction (the caller commits). Returns how many."""
    if not rows:
        return 0
    connection = db.session.connection()
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    table = Interaction.__table__
    statement = (dialect.insert(table).on_conflict_do_nothing(index_elements=["call_sid"])
                 .returning(table.c.id, table.c.call_sid))
    values = [{k: v for k, v in row.items() if k != "_events"} for row in rows]
    inserted = {sid: row_id for row_id, sid in connection.execute(statement, values)}
    events = [
        {"interaction_id": inserted[row["call_sid"]], **event}
        for row in rows if row["call_sid"] in inserted
        for event in row["_events"]
    ]
    if events:
        connection.execute(insert(InteractionEvent.__table__), events)
    return len(inserted)


def materialise(call_sid: str) -> bool:
    """Put a call's staged row into SQL now (a reader needs it before the writer ran), in the
    session's transaction; True when the row may now be there (look again)."""
    try:
        raw = redis_client.get(row_key(call_sid))
    except redis.RedisError as err:
        log.warning("Redis unreachable (%s): call %s's staged row, if any, is not visible "
                    "until the writer runs", err, call_sid)
        return False
    if raw is None:
        return False
    if raw == WRITTEN:
        return True  # written between the reader's SELECT and this GET
    row = _decode(call_sid, raw)
    if row is None:
        return False
    _insert_rows([row])
    return True


def write(limit: int = BATCH) -> int:
    """The writer: insert every staged row into SQL, in batches (needs an app context; the
    clock process runs it). Returns how many rows it inserted."""
    client = redis_client
    if not client.llen(list_key()):
        return 0
    lease_key, token = list_key() + ":writer", uuid.uuid4().hex
    if not client.set(lease_key, token, nx=True, px=WRITER_LEASE_MS):
        return 0  # another process is writing them
    written = 0
    try:
        while True:
            sids = client.lrange(list_key(), 0, limit - 1)
            if not sids:
                return written
            unique = list(dict.fromkeys(sids))  # a retried first webhook may push twice
            raws = client.mget([row_key(sid) for sid in unique])
            rows = [row for sid, raw in zip(unique, raws, strict=True)
                    if raw is not None and raw != WRITTEN
                    for row in [_decode(sid, raw)] if row is not None]
            try:
                written += _insert_rows(rows)
                db.session.commit()
            except Exception:
                db.session.rollback()
                raise
            # Only now: a writer killed before this line leaves them for the next one.
            pipe = client.pipeline(transaction=False)
            for sid in unique:
                pipe.set(row_key(sid), WRITTEN, xx=True, ex=WRITTEN_TTL)
            for sid in sids:
                pipe.lrem(list_key(), 1, sid)
            pipe.execute()
            if len(sids) < limit:
                return written
    finally:
        if client.get(lease_key) == token:
            client.delete(lease_key)


WRITER_INTERVAL = 0.25
WRITER_RETRY_SECONDS = 5.0


def start_writer(stop: Callable[[], bool], interval: float = WRITER_INTERVAL) -> threading.Thread:
    """Run `write` every `interval` seconds in a daemon thread of this process (the clock's),
    until `stop()`: off the clock loop's thread, so a batch never delays a hold-clock step."""
    app = current_app._get_current_object()

    def loop() -> None:
        while not stop():
            pause = interval
            with app.app_context():
                try:
                    write()
                except Exception:
                    pause = WRITER_RETRY_SECONDS  # Redis or the database is down: log less
                    log.exception("writing staged interactions failed; retrying in %s s",
                                  pause)
                finally:
                    db.session.remove()
            time.sleep(pause)

    thread = threading.Thread(target=loop, name="interactions-writer", daemon=True)
    thread.start()
    return thread
