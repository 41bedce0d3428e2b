"""Who may see a call's screen-pop: the caller's details and history are for the people
serving that call, not for every agent on the floor."""

from __future__ import annotations

from app.auth import Forbidden, Principal


def may_see_call(principal: Principal, call_sid: str) -> bool:
    """Supervisors and the operator: any call. An agent: a call offered to them, that they
    are on or wrapping up, took earlier, or are being transferred."""
    if principal.kind in ("admin", "supervisor"):
        return True
    from app.interactions.services import find_by_call_sid
    from app.queue.factory import queue_store

    store = queue_store()
    me = principal.identity
    live = store.call(call_sid)
    if live.get("agent") == me or store.agent(me).get("call") == call_sid:
        return True
    interaction = find_by_call_sid(call_sid)
    if interaction is None and not live:
        return True  # no such call: nothing to hide, the route answers 404 as for anyone
    if interaction is not None and interaction.agent_identity == me:
        return True
    return _in_a_transfer(principal, call_sid)


def _in_a_transfer(principal: Principal, call_sid: str) -> bool:
    try:  # call controls are a package of their own; without them there are no transfers
        from app.calls import transfers
        from app.calls.factory import controls
    except ImportError:
        return False
    t = transfers.current(controls(), call_sid)
    return t is not None and principal.identity in {t.from_agent, t.to_agent}


def check_may_see_call(principal: Principal, call_sid: str) -> None:
    if not may_see_call(principal, call_sid):
        raise Forbidden("You are not on this call.", call_sid=call_sid)
