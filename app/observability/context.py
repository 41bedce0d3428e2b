"""Which call (and job) the current code is working for, for the logs.

A contextvar rather than Flask's `g`: the hold clock and RQ jobs run outside any request, and
a contextvar follows the code into whatever thread or task runs it. Import-light on purpose:
app.telephony imports it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_call_sid: ContextVar[str | None] = ContextVar("call_sid", default=None)
_job_id: ContextVar[str | None] = ContextVar("job_id", default=None)


def current_call_sid() -> str | None:
    return _call_sid.get()


def current_job_id() -> str | None:
    return _job_id.get()


@contextmanager
def call_context(call_sid: str | None) -> Iterator[None]:
    """Every line logged inside carries `call_sid` (nothing changes if it is empty)."""
    if not call_sid:
        yield
        return
    token = _call_sid.set(call_sid)
    try:
        yield
    finally:
        _call_sid.reset(token)


@contextmanager
def job_context(job_id: str | None, call_sid: str | None = None) -> Iterator[None]:
    """For background work (RQ jobs, hold-clock steps): the job's id and, if known, its call."""
    token = _job_id.set(job_id)
    try:
        with call_context(call_sid):
            yield
    finally:
        _job_id.reset(token)
