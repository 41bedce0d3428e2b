"""Call-control errors: each has a stable id the console can act on."""

from __future__ import annotations

from app.errors import Conflict, DomainError, InvalidInput, NotFound


class CallNotFound(NotFound):
    error_id = "call_not_found"


class CallNotLive(Conflict):
    error_id = "call_not_live"


class TransferInProgress(Conflict):
    error_id = "transfer_in_progress"


class TransferNotFound(NotFound):
    error_id = "transfer_not_found"


class TransferTargetNotJoined(Conflict):
    error_id = "transfer_target_not_joined"


class TransferStateConflict(Conflict):
    error_id = "transfer_state_conflict"


class TargetUnavailable(Conflict):
    error_id = "transfer_target_unavailable"


class InvalidTransfer(InvalidInput):
    error_id = "invalid_transfer"


class TelephonyFailed(DomainError):
    """Twilio refused or failed the change; nothing on the call was changed by it."""

    error_id = "telephony_failed"
    status = 502
