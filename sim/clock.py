"""The emulator's notion of time: virtual (tests drive it) or real (the `serve` process)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any


class VirtualClock:
    """Time that moves only when the engine advances it.

    With a freezegun `freezer` (the object `freeze_time(...)` yields) every move is mirrored
    into the frozen clock, so `datetime.now()` inside the app's webhook handlers agrees with
    the emulator's timestamps.
    """

    virtual = True

    def __init__(self, start: datetime | None = None, *, freezer: Any = None) -> None:
        self.freezer = freezer
        if start is None:
            # Under freezegun this is the frozen instant, which is what the test set up.
            start = datetime.now(UTC)
        if start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
        self.start = start
        self._elapsed = 0.0

    def elapsed(self) -> float:
        """Seconds since the emulator started."""
        return self._elapsed

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self._elapsed)

    def set_elapsed(self, seconds: float) -> None:
        if seconds < self._elapsed:
            raise ValueError("virtual time never goes backwards")
        self._elapsed = seconds
        if self.freezer is not None:
            self.freezer.move_to(self.now())


class RealClock:
    """Wall-clock time, for the emulator running as a process next to a real app."""

    virtual = False

    def __init__(self) -> None:
        self.start = datetime.now(UTC)
        self._t0 = time.monotonic()

    def elapsed(self) -> float:
        return time.monotonic() - self._t0

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.elapsed())

    def set_elapsed(self, seconds: float) -> None:
        """Real time cannot be moved; the engine only calls this in virtual mode."""


Clock = VirtualClock | RealClock


def rfc2822(dt: datetime) -> str:
    """Twilio's date format in JSON and callbacks: `Mon, 23 Nov 2026 09:00:00 +0000`."""
    return dt.astimezone(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat().replace("+00:00", "Z")
