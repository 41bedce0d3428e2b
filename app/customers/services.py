"""Finding and linking customers. Callers commit; these functions only stage changes."""

from __future__ import annotations

from sqlalchemy import select

from app.customers.models import Customer, CustomerPhone
from app.extensions import db


def find_by_phone(e164: str | None) -> Customer | None:
    if not e164:
        return None
    phone = db.session.scalars(select(CustomerPhone).where(CustomerPhone.number == e164)).first()
    return phone.customer if phone else None


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
