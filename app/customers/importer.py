"""Bulk upsert of customers, keyed by account number (`flask customers import`).

Built for a million rows: rows are validated in Python, then each chunk costs two lookups
(accounts, phones) and a few bulk statements, never a query per row. Every row is
all-or-nothing: it is fully checked against the database and against the rows before it in
the file before anything of it is written. What the file has already claimed (account
numbers, and the phones of accepted rows) is remembered in a ledger, so a dry run and a
strict run reach the same verdicts as a real one without writing anything.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from app.clock import now
from app.customers import fields
from app.customers.csvsource import SourceRow, column_name
from app.customers.errors import InvalidField
from app.customers.models import Customer, CustomerPhone
from app.customers.phones import normalise
from app.extensions import db

log = logging.getLogger(__name__)

CHUNK_SIZE = 1000
LOOKUP_BATCH = 2000
PHONE_SEPARATOR = ";"


@dataclass(frozen=True)
class Reject:
    line: int
    reason: str
    account_number: str | None = None
    fields: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "reason": self.reason, "account_number": self.account_number,
                "fields": list(self.fields)}


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejects: list[Reject] = field(default_factory=list)
    strict: bool = False
    dry_run: bool = False
    # False when nothing was kept: a dry run, or a strict run that met a reject.
    written: bool = True

    @property
    def rejected(self) -> int:
        return len(self.rejects)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + self.rejected

    def summary(self) -> str:
        text = (f"{self.total} rows: {self.created} created, {self.updated} updated, "
                f"{self.unchanged} unchanged, {self.rejected} rejected")
        if self.dry_run:
            text += " (dry run: nothing written)"
        elif not self.written:
            text += " (strict: nothing written because rows were rejected)"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "rejected": self.rejected, "written": self.written, "dry_run": self.dry_run,
                "strict": self.strict, "rejects": [r.to_dict() for r in self.rejects]}


@dataclass(frozen=True)
class _Row:
    """A row that passed the checks needing no database."""

    line: int
    account_number: str
    name: str
    language: str | None  # None: the cell was empty (keep the customer's, or the default)
    tier: str | None
    notes: str | None
    phones: tuple[str, ...]


@dataclass
class _Ledger:
    """What earlier rows of this file claimed: account numbers, and accepted rows' phones."""

    accounts: dict[str, int] = field(default_factory=dict)
    phones: dict[str, int] = field(default_factory=dict)


def import_customers(rows: Iterable[SourceRow | Mapping[str, Any]], default_region: str,
                     strict: bool = False, dry_run: bool = False, *,
                     default_language: str = "en", chunk_size: int = CHUNK_SIZE) -> ImportReport:
    """Create or update customers from rows with name, phone, account_number, language.

    `rows` are SourceRows (from `csvsource.read_rows`) or plain mappings, numbered as the
    lines of a CSV file with one header line (the first mapping is line 2). Non-strict runs
    commit chunk by chunk; `strict` keeps one transaction and commits it only if no row was
    rejected; `dry_run` writes nothing.
    """
    run = _Run(default_region, default_language, strict=strict, dry_run=dry_run)
    try:
        for chunk in _chunks(_numbered(rows), chunk_size):
            run.process(chunk)
    except BaseException:
        db.session.rollback()
        raise
    return run.finish()


class _Run:
    def __init__(self, region: str, default_language: str, *, strict: bool,
                 dry_run: bool) -> None:
        self.region = region
        self.default_language = fields.clean_language(default_language)
        self.strict = strict
        self.report = ImportReport(strict=strict, dry_run=dry_run, written=not dry_run)
        self.ledger = _Ledger()

    @property
    def writing(self) -> bool:
        return self.report.written

    def process(self, chunk: list[SourceRow]) -> None:
        candidates = [row for row in (self._check(source) for source in chunk) if row]
        if not candidates:
            return
        plan = _Plan()
        existing = _existing_customers([r.account_number for r in candidates])
        owners = _phone_owners([p for r in candidates for p in r.phones])
        for row in candidates:
            self._decide(row, existing.get(row.account_number), owners, plan)
        if self.writing:
            self._write(plan)
        self.report.created += len(plan.creates)
        self.report.updated += len(plan.updates)
        self.report.unchanged += plan.unchanged

    def finish(self) -> ImportReport:
        self.report.rejects.sort(key=lambda r: r.line)
        if self.writing:
            db.session.commit()
        else:
            db.session.rollback()
        return self.report

    def _reject(self, line: int, reasons: list[str], account: str | None,
                bad_fields: Iterable[str] = ()) -> None:
        self.report.rejects.append(Reject(line, " ".join(reasons), account, tuple(bad_fields)))
        if self.strict and self.report.written:
            # Keep reading to report every bad row, but nothing of this file will be kept.
            db.session.rollback()
            self.report.written = False

    def _check(self, source: SourceRow) -> _Row | None:
        """The row's cells cleaned, or None after rejecting it with every problem found."""
        if source.problem:
            self._reject(source.line, [f"The row {source.problem}."], None)
            return None
        cells = source.fields
        problems: list[InvalidField] = []

        def clean(fn, *args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except InvalidField as err:
                problems.append(err)
                return None

        name = clean(fields.clean_name, cells.get("name"))
        account = clean(fields.clean_account_number, cells.get("account_number"), required=True)
        if account is not None:
            first = self.ledger.accounts.setdefault(account, source.line)
            if first != source.line:
                problems.append(InvalidField(
                    "account_number",
                    f"Account number {account} is already on line {first} of this file."))
        phones = clean(self._phones, cells.get("phone"))
        language = tier = None
        if (cells.get("language") or "").strip():
            language = clean(fields.clean_language, cells.get("language"))
        if (cells.get("tier") or "").strip():
            tier = clean(fields.clean_tier, cells.get("tier"))
        notes = (cells.get("notes") or "").strip() or None
        if problems:
            self._reject(source.line, [p.message for p in problems], account,
                         [p.field for p in problems])
            return None
        return _Row(source.line, account, name, language, tier, notes, phones)

    def _phones(self, cell: str | None) -> tuple[str, ...]:
        raws = [part.strip() for part in (cell or "").split(PHONE_SEPARATOR) if part.strip()]
        if not raws:
            raise InvalidField("phone", "The phone number is missing.")
        numbers: list[str] = []
        for raw in raws:
            number = normalise(raw, self.region)
            if number is None:
                raise InvalidField("phone", f"{raw!r} is not a valid phone number.")
            if number not in numbers:
                numbers.append(number)
        return tuple(numbers)

    def _decide(self, row: _Row, current: _Existing | None, owners: dict[str, _Owner],
                plan: _Plan) -> None:
        # Checked here, row after row, so a phone twice in one chunk is caught too.
        in_file = [f"Phone {p} is already on line {self.ledger.phones[p]} of this file, "
                   "for another customer." for p in row.phones if p in self.ledger.phones]
        taken = [f"Phone {p} already belongs to another customer ({owners[p].describe()})."
                 for p in row.phones
                 if p in owners and (current is None or owners[p].customer_id != current.id)
                 and p not in self.ledger.phones]
        if in_file or taken:
            self._reject(row.line, in_file + taken, row.account_number, ["phone"])
            return
        for phone in row.phones:
            self.ledger.phones[phone] = row.line
        new_phones = [p for p in row.phones if p not in owners]
        if current is None:
            plan.creates.append(row)
            return
        wanted = {
            "name": row.name,
            "language": row.language or current.language,
            "tier": row.tier or current.tier,
            "notes": row.notes if row.notes is not None else current.notes,
        }
        plan.new_phones.extend((current.id, p) for p in new_phones)
        if new_phones or any(getattr(current, k) != v for k, v in wanted.items()):
            plan.updates.append((row, {"id": current.id, **wanted}))
        else:
            plan.unchanged += 1

    def _write(self, plan: _Plan) -> None:
        at = now()
        try:
            ids: dict[str, int] = {}
            if plan.creates:
                result = db.session.execute(
                    insert(Customer).returning(
                        Customer.id, Customer.account_number, sort_by_parameter_order=True
                    ),
                    [{"name": r.name, "account_number": r.account_number,
                      "language": r.language or self.default_language,
                      "tier": r.tier or "standard", "notes": r.notes or "",
                      "created_at": at, "updated_at": at} for r in plan.creates],
                )
                ids = {account: customer_id for customer_id, account in result}
            if plan.updates:
                db.session.execute(update(Customer), [{**values, "updated_at": at}
                                                      for _, values in plan.updates])
            phones = [(ids[r.account_number], p) for r in plan.creates for p in r.phones]
            phones += plan.new_phones
            if phones:
                db.session.execute(insert(CustomerPhone), [
                    {"customer_id": cid, "number": p, "source": "import", "created_at": at}
                    for cid, p in phones
                ])
            if self.strict:
                db.session.flush()
            else:
                db.session.commit()
        except IntegrityError as err:
            # Someone else wrote the same account or phone since our lookup. This chunk is
            # rolled back whole (rows stay all-or-nothing); re-running the file completes it.
            db.session.rollback()
            log.warning("customer import: chunk refused by the database: %s", err.orig)
            rows = plan.creates + [row for row, _ in plan.updates]
            plan.creates, plan.updates = [], []
            for row in rows:
                self._reject(row.line, ["The database refused this row (someone else changed "
                                        "these customers during the import): run it again."],
                             row.account_number)


@dataclass(frozen=True)
class _Existing:
    id: int
    name: str
    language: str
    tier: str
    notes: str


@dataclass(frozen=True)
class _Owner:
    customer_id: int
    account_number: str | None

    def describe(self) -> str:
        if self.account_number:
            return f"account {self.account_number}"
        return f"customer #{self.customer_id}, who has no account number"


@dataclass
class _Plan:
    creates: list[_Row] = field(default_factory=list)
    updates: list[tuple[_Row, dict[str, Any]]] = field(default_factory=list)
    new_phones: list[tuple[int, str]] = field(default_factory=list)
    unchanged: int = 0


def _existing_customers(accounts: list[str]) -> dict[str, _Existing]:
    found: dict[str, _Existing] = {}
    for batch in _batches(accounts):
        query = select(Customer.account_number, Customer.id, Customer.name, Customer.language,
                       Customer.tier, Customer.notes).where(Customer.account_number.in_(batch))
        found.update((account, _Existing(*rest)) for account, *rest in db.session.execute(query))
    return found


def _phone_owners(numbers: list[str]) -> dict[str, _Owner]:
    found: dict[str, _Owner] = {}
    for batch in _batches(numbers):
        query = (select(CustomerPhone.number, CustomerPhone.customer_id, Customer.account_number)
                 .join(Customer, Customer.id == CustomerPhone.customer_id)
                 .where(CustomerPhone.number.in_(batch)))
        found.update((n, _Owner(cid, account)) for n, cid, account in db.session.execute(query))
    return found


def _batches(values: list[str]) -> Iterator[list[str]]:
    # Databases cap the parameters of one statement (SQLite 32766, PostgreSQL 65535), and a
    # chunk may hold rows with many phones each.
    unique = list(dict.fromkeys(values))
    for start in range(0, len(unique), LOOKUP_BATCH):
        yield unique[start:start + LOOKUP_BATCH]


def _numbered(rows: Iterable[SourceRow | Mapping[str, Any]]) -> Iterator[SourceRow]:
    for index, row in enumerate(rows):
        if isinstance(row, SourceRow):
            yield row
        else:
            cells = {column_name(str(k)): (None if v is None else str(v))
                     for k, v in row.items()}
            yield SourceRow(index + 2, cells)


def _chunks(rows: Iterator[SourceRow], size: int) -> Iterator[list[SourceRow]]:
    while chunk := list(islice(rows, size)):
        yield chunk
