"""What a supervisor's action can run into, each with a stable id."""

from __future__ import annotations

from app.errors import Conflict, InvalidInput, NotFound


class CallNotLive(NotFound):
    error_id = "call_not_found"


class CallerGone(Conflict):
    """The caller hung up (perhaps at that very instant): nothing left to move."""

    error_id = "caller_gone"


class WrongCallState(Conflict):
    error_id = "call_state_conflict"


class AgentNotAvailable(Conflict):
    error_id = "agent_not_available"


class LineBusy(Conflict):
    """The supervisor's own line is in another call: their browser would ignore a ring too."""

    error_id = "line_busy"


class NotMonitoring(NotFound):
    error_id = "not_monitoring"


class BadMonitorMode(InvalidInput):
    error_id = "invalid_monitor_mode"
