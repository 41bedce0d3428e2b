"""Who may see a call's screen-pop: the caller's details and history are for the people
serving that call, not for every agent on the floor.

Whether a call is live, and who is on it or in its transfer, is known by packages above this
one (the queue, call controls). They register what they know in `call_access(app)` when their
blueprints are registered, so customers imports neither.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app

from app.auth import Forbidden, Principal
from app.interactions.services import find_by_call_sid

Serves = Callable[[str, str], bool]
"""(agent identity, call SID) -> whether that agent serves the call."""


def _serves_nobody(_identity: str, _call_sid: str) -> bool:
    return False


def _no_live_call(_call_sid: str) -> bool:
    return False


@dataclass
class CallAccess:
    """`on_call`: offered to the agent or the agent is on it (the queue). `live`: the call is
    live at all (the queue). `in_transfer`: the agent is a party to its transfer (calls)."""

    on_call: Serves = _serves_nobody
    live: Callable[[str], bool] = _no_live_call
    in_transfer: Serves = _serves_nobody


_ACCESS = "customers.call_access"


def call_access(app: Flask) -> CallAccess:
    """The app's sources, to register one: `call_access(app).in_transfer = ...`."""
    return app.extensions.setdefault(_ACCESS, CallAccess())


def may_see_call(principal: Principal, call_sid: str) -> bool:
    """Supervisors and the operator: any call. An agent: a call offered to them, that they
    are on or wrapping up, took earlier, or are being transferred."""
    if principal.kind in ("admin", "supervisor"):
        return True
    access = call_access(current_app)
    me = principal.identity
    if access.on_call(me, call_sid):
        return True
    interaction = find_by_call_sid(call_sid)
    if interaction is None and not access.live(call_sid):
        return True  # no such call: nothing to hide, the route answers 404 as for anyone
    if interaction is not None and interaction.agent_identity == me:
        return True
    return access.in_transfer(me, call_sid)


def check_may_see_call(principal: Principal, call_sid: str) -> None:
    if not may_see_call(principal, call_sid):
        raise Forbidden("You are not on this call.", call_sid=call_sid)
