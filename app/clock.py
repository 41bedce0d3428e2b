"""The one source of time for the whole app.

Everything that needs "now" (hold-clock deadlines, Redis scores, timestamps in rows) asks
here, so freezegun moves every clock in a test at once. Never rely on Redis TTLs for
deadlines: Redis keeps its own time, which freezegun cannot move.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime


def now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def timestamp() -> float:
    """The current time as seconds since the epoch (for Redis sorted-set scores)."""
    return time.time()
