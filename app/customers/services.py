"""Finding and linking customers. Callers commit; these functions only stage changes."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, select

from app.customers import phones
from app.customers.errors import (
    AccountNumberTaken,
    CustomerNotFound,
    PhoneNotFound,
    PhoneTaken,
)
from app.customers.models import Customer, CustomerPhone
from app.extensions import db, get_row
from app.interactions.models import Interaction

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Caller:
    """What greeting a caller needs of their record: read without building ORM objects."""

    id: int
    name: str
    language: str
    tier: str


def find_by_phone(e164: str | None) -> Customer | None:
    if not e164:
        return None
    # One query through the phone's unique index, not the phone then its customer.
    return db.session.scalars(
        select(Customer).join(CustomerPhone).where(CustomerPhone.number == e164)
    ).first()


def caller_by_phone(e164: str | None) -> Caller | None:
    """The customer behind a number, as plain values (one core SELECT through the phone's
    unique index, no ORM objects). The incoming-call webhook runs the same query on a
    connection of its own (app/ivr/fastpath.py) and comes here when that fails."""
    if not e164:
        return None
    row = db.session.connection().execute(caller_by_phone_query(), {"number": e164}).first()
    return Caller(*row) if row is not None else None


_E164 = re.compile(r"\+[1-9][0-9]{6,14}")


def caller_by_number(raw: str, region: str,
                     by_phone: Callable[[str], Caller | None] = caller_by_phone
                     ) -> Caller | None:
    """The customer behind a caller ID as Twilio sends it (normally E.164 already), looked up
    with `by_phone`.

    Stored numbers are E.164 as `phonenumbers` formats them, so a caller ID in that form is
    looked up as it is, without parsing it (~50 us); only a miss, or another form, is
    normalised with `phonenumbers` and looked up again if that changed it.
    """
    raw = (raw or "").strip()
    e164_shaped = _E164.fullmatch(raw) is not None
    if e164_shaped:
        found = by_phone(raw)
        if found is not None:
            return found
    number = phones.normalise(raw, region)
    if number is None or (e164_shaped and number == raw):
        return None
    return by_phone(number)


@cache
def caller_by_phone_query() -> Select:
    """A caller's (id, name, language, tier) by their E.164 number (bound as `number`)."""
    customers, phones_ = Customer.__table__, CustomerPhone.__table__
    return (
        select(customers.c.id, customers.c.name, customers.c.language, customers.c.tier)
        .join_from(phones_, customers, phones_.c.customer_id == customers.c.id)
        .where(phones_.c.number == bindparam("number"))
        .limit(1)
    )


def find_by_account_number(account_number: str) -> Customer | None:
    account_number = (account_number or "").strip()
    if not account_number:
        return None
    return db.session.scalars(
        select(Customer).where(Customer.account_number == account_number)
    ).first()


def link_phone(customer: Customer, e164: str, source: str) -> CustomerPhone:
    """Attach a number to a customer (moving it if another customer had it)."""
    existing = db.session.scalars(select(CustomerPhone).where(CustomerPhone.number == e164)).first()
    if existing is not None:
        existing.customer = customer
        existing.source = source
        return existing
    phone = CustomerPhone(number=e164, source=source)
    customer.phones.append(phone)
    return phone


# --- Managing customers (the JSON API). Errors name the field or record at fault. ---------

SEARCH_LIMIT_MAX = 200


def get_customer(customer_id: int) -> Customer:
    # Ids beyond a 64-bit integer cannot exist, and would overflow the database driver.
    customer = get_row(Customer, customer_id)
    if customer is None:
        raise CustomerNotFound(f"No customer {customer_id}.", customer_id=customer_id)
    return customer


def search_customers(*, phone: str | None = None, account_number: str | None = None,
                     name_contains: str | None = None, limit: int = 50) -> list[Customer]:
    """Customers matching every filter given (an E.164 phone, an account, a name substring),
    newest first; with no filter, the newest customers."""
    query = select(Customer)
    if phone is not None:
        query = query.join(CustomerPhone).where(CustomerPhone.number == phone)
    if account_number is not None:
        query = query.where(Customer.account_number == account_number)
    if name_contains:
        escaped = name_contains.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Customer.name.ilike(f"%{escaped}%", escape="\\"))
    query = query.order_by(Customer.id.desc()).limit(max(1, min(limit, SEARCH_LIMIT_MAX)))
    return list(db.session.scalars(query))


def create_customer(*, name: str, account_number: str | None = None, language: str = "en",
                    tier: str = "standard", notes: str = "", phones: Sequence[str] = (),
                    source: str = "api") -> Customer:
    """A new customer with its (E.164) phones; refuses a taken account number or phone."""
    _ensure_account_free(account_number, None)
    for number in phones:
        _ensure_phone_free(number, None)
    customer = Customer(name=name, account_number=account_number, language=language, tier=tier,
                        notes=notes)
    for number in dict.fromkeys(phones):
        customer.phones.append(CustomerPhone(number=number, source=source))
    db.session.add(customer)
    return customer


def update_customer(customer: Customer, changes: Mapping[str, Any]) -> Customer:
    """Apply cleaned changes (name, language, tier, notes, account_number)."""
    if "account_number" in changes:
        _ensure_account_free(changes["account_number"], customer.id)
    for key, value in changes.items():
        setattr(customer, key, value)
    return customer


def add_phone(customer: Customer, e164: str, source: str = "api") -> tuple[CustomerPhone, bool]:
    """Give the customer this number; (phone, created). Another customer's number is refused:
    moving a number between people is a decision, not a side effect."""
    existing = db.session.scalars(select(CustomerPhone).where(CustomerPhone.number == e164)).first()
    if existing is not None:
        if existing.customer_id == customer.id:
            return existing, False
        raise PhoneTaken(f"{e164} already belongs to another customer.", field="number",
                         number=e164, customer_id=existing.customer_id)
    phone = CustomerPhone(number=e164, source=source)
    customer.phones.append(phone)
    return phone, True


def remove_phone(customer: Customer, e164: str) -> None:
    for phone in customer.phones:
        if phone.number == e164:
            customer.phones.remove(phone)
            return
    raise PhoneNotFound(f"Customer {customer.id} has no phone {e164}.", number=e164,
                        customer_id=customer.id)


def recent_interactions(customer_id: int, limit: int = 10,
                        exclude_call_sid: str | None = None) -> list[Interaction]:
    """The customer's latest calls, newest first."""
    query = select(Interaction).where(Interaction.customer_id == customer_id)
    if exclude_call_sid:
        query = query.where(Interaction.call_sid != exclude_call_sid)
    query = query.order_by(Interaction.started_at.desc(), Interaction.id.desc()).limit(limit)
    return list(db.session.scalars(query))


def _ensure_account_free(account_number: str | None, customer_id: int | None) -> None:
    if not account_number:
        return
    owner = find_by_account_number(account_number)
    if owner is not None and owner.id != customer_id:
        raise AccountNumberTaken(
            f"Account number {account_number} already belongs to customer {owner.id}.",
            field="account_number", customer_id=owner.id,
        )


def _ensure_phone_free(e164: str, customer_id: int | None) -> None:
    owner = find_by_phone(e164)
    if owner is not None and owner.id != customer_id:
        raise PhoneTaken(f"{e164} already belongs to customer {owner.id}.", field="phones",
                         number=e164, customer_id=owner.id)
