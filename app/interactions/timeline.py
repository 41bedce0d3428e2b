"""Timeline events buffered in Redis and written to SQL in batches.

The hold clock fires thousands of ladder steps a minute; an INSERT and a COMMIT for each
would put SQLite's single write lock on the clock's path once per step. Instead a step's
event is pushed onto a Redis list in the same pipeline as the step's own writes, and the
clock writes whatever is buffered with one executemany INSERT and one COMMIT per batch of
steps (`flush`, run at the end of each batch, by whichever clock process fired it).

Each buffered event is popped once (LPOP is atomic across processes), so it is written once;
a process killed between the pop and the COMMIT loses those events (history only, nothing
the queue routes by). A failed INSERT puts them back for the next flush.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

import redis
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.interactions.models import InteractionEvent

log = logging.getLogger(__name__)

FLUSH_BATCH = 1000


class TimelineBuffer:
    def __init__(self, client: redis.Redis, key: str) -> None:
        self.redis = client
        self.key = key

    def push(self, pipe: redis.client.Pipeline, interaction_id: int, kind: str,
             detail: dict[str, Any], at: float) -> None:
        """Queue an event on `pipe` (executed by the caller, with its other writes)."""
        pipe.rpush(self.key, json.dumps([interaction_id, kind, detail, at]))

    def flush(self, limit: int = FLUSH_BATCH) -> int:
        """Write buffered events to `interaction_events` (needs an app context); returns how
        many were written."""
        written = 0
        while True:
            raw = self.redis.lpop(self.key, limit) or []
            if not raw:
                return written
            rows = []
            for item in raw:
                try:
                    interaction_id, kind, detail, at = json.loads(item)
                except (ValueError, TypeError):
                    log.error("dropping a malformed buffered timeline event %r", item)
                    continue
                rows.append({"interaction_id": int(interaction_id), "kind": kind,
                             "detail": detail, "at": datetime.fromtimestamp(at, UTC)})
            try:
                written += _insert(rows)
            except Exception:
                db.session.rollback()
                self.redis.lpush(self.key, *reversed(raw))  # back at the head, same order
                raise
            if len(raw) < limit:
                return written


def _insert(rows: list[dict[str, Any]]) -> int:
    if not rows:
        return 0
    table = InteractionEvent.__table__
    try:
        db.session.execute(insert(table), rows)
        db.session.commit()
        return len(rows)
    except IntegrityError:
        # A call's row deleted meanwhile: write the others rather than retry them forever.
        db.session.rollback()
    written = 0
    for row in rows:
        try:
            db.session.execute(insert(table), row)
            db.session.commit()
            written += 1
        except IntegrityError:
            db.session.rollback()
            log.warning("dropping a timeline event for missing interaction %s",
                        row["interaction_id"])
    return written
