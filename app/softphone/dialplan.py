"""Where an agent's outgoing call goes: a customer's number, another agent, or nowhere."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import phonenumbers

from app.customers.phones import normalise

CLIENT_PREFIX = "client:"
IDENTITY = re.compile(r"^[A-Za-z0-9_]{1,121}$")  # a softphone identity (Twilio's rule)
# Numbers a call centre's agents never dial on the company's account.
BARRED_TYPES = frozenset({phonenumbers.PhoneNumberType.PREMIUM_RATE,
                          phonenumbers.PhoneNumberType.SHARED_COST})


@dataclass(frozen=True)
class Target:
    """`kind`: `number` (E.164 in `address`), `agent` (an identity), or `refused` (`reason`
    says why: `unknown_caller`, `yourself`, `barred`, `not_a_number`)."""

    kind: str
    address: str = ""
    reason: str = ""


def caller_identity(from_: str) -> str | None:
    """The identity of a softphone call's `From` (`client:<identity>`), else None."""
    if not from_.startswith(CLIENT_PREFIX):
        return None
    identity = from_.removeprefix(CLIENT_PREFIX)
    return identity if IDENTITY.match(identity) else None


def resolve(to: str, *, caller: str, region: str,
            is_agent: Callable[[str], bool]) -> Target:
    """What `to` (the softphone's custom `To` parameter) means for the agent `caller`.

    An agent's identity, with or without `client:`, is an internal call; anything else must
    be a valid phone number (national numbers read in `region`), and not a premium-rate or
    shared-cost one.
    """
    to = (to or "").strip()
    bare = to.removeprefix(CLIENT_PREFIX)
    internal = to.startswith(CLIENT_PREFIX) or (bool(IDENTITY.match(bare)) and not bare.isdigit())
    if internal:
        if bare == caller:
            return Target("refused", reason="yourself")
        if is_agent(bare):
            return Target("agent", bare)
        return Target("refused", reason="not_a_number")
    number = normalise(to, region)
    if number is None:
        return Target("refused", reason="not_a_number")
    if phonenumbers.number_type(phonenumbers.parse(number)) in BARRED_TYPES:
        return Target("refused", reason="barred")
    return Target("number", number)
