"""The customers domain's errors: each names the field or record a client must fix."""

from __future__ import annotations

from app.errors import Conflict, InvalidInput, NotFound


class InvalidField(InvalidInput):
    """One field of a customer is missing or wrong; `details.field` names it."""

    error_id = "invalid_field"

    def __init__(self, field: str, message: str, **details: object) -> None:
        super().__init__(message, field=field, **details)
        self.field = field


class CustomerNotFound(NotFound):
    error_id = "customer_not_found"


class PhoneNotFound(NotFound):
    error_id = "phone_not_found"


class CallNotFound(NotFound):
    error_id = "call_not_found"


class AccountNumberTaken(Conflict):
    error_id = "account_number_taken"


class PhoneTaken(Conflict):
    error_id = "phone_taken"
