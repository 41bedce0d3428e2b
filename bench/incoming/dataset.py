"""The benchmark database: the real schema (Alembic) with N customers, one phone number each.

Building 1,000,000 customers takes about a minute, so the built file is cached under the
data directory, keyed by the migration head, a digest of the migration files, the customer
count and the generator's version; each run works on a fresh copy of it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import phonenumbers
from sqlalchemy import MetaData, create_engine, insert, text

# Bump when the generated rows change, so stale caches are not reused.
GENERATOR_VERSION = 2
CHUNK = 20_000
CREATED = datetime(2025, 1, 1, tzinfo=UTC)

# (share out of 20, language, candidate number for counter k): callers from the US, India,
# Bangladesh and Malaysia, matching the languages the IVR speaks.
_US_AREAS = ("212", "213", "305", "312", "415", "404", "503", "512", "617", "646",
             "702", "713", "718", "206", "303", "602", "614", "619", "704", "919")
_US_UNKNOWN_AREAS = ("201", "202", "215", "216", "224", "248", "267", "301", "302", "310")
_FIRST = {
    "en": ("Mary", "James", "Linda", "Robert", "Patricia", "John", "Jennifer", "Michael"),
    "hi": ("Asha", "Rahul", "Priya", "Amit", "Sunita", "Vikram", "Anjali", "Ravi"),
    "bn": ("Rahim", "Fatema", "Arif", "Nusrat", "Tanvir", "Sadia", "Imran", "Mitu"),
    "ms": ("Siti", "Ahmad", "Nurul", "Hafiz", "Aisyah", "Faizal", "Zarina", "Azman"),
}
_LAST = {
    "en": ("Smith", "Johnson", "Brown", "Garcia", "Miller", "Davis", "Wilson", "Moore"),
    "hi": ("Sharma", "Verma", "Rao", "Gupta", "Iyer", "Patel", "Singh", "Nair"),
    "bn": ("Hossain", "Rahman", "Islam", "Ahmed", "Chowdhury", "Khan", "Akter", "Sarkar"),
    "ms": ("Abdullah", "Ismail", "Ibrahim", "Hassan", "Yusof", "Osman", "Rahim", "Salleh"),
}

log = logging.getLogger(__name__)


def _us(areas: tuple[str, ...], k: int) -> str:
    rest = k // len(areas)
    return f"+1{areas[k % len(areas)]}{200 + rest // 10_000:03d}{rest % 10_000:04d}"


_KNOWN = {
    "en": lambda k: _us(_US_AREAS, k),
    "hi": lambda k: f"+9198{k:08d}",
    "bn": lambda k: f"+88017{k:08d}",
    "ms": lambda k: f"+6012{k:07d}",
}
# Disjoint number ranges: nobody in the database calls from these.
_UNKNOWN = {
    "en": lambda k: _us(_US_UNKNOWN_AREAS, k),
    "hi": lambda k: f"+9197{k:08d}",
    "bn": lambda k: f"+88018{k:08d}",
    "ms": lambda k: f"+6019{k:07d}",
}


def language_of(i: int) -> str:
    slot = i % 20
    return "en" if slot < 12 else "hi" if slot < 15 else "bn" if slot < 17 else "ms"


def is_valid_e164(number: str) -> bool:
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return False
    return (phonenumbers.is_valid_number(parsed)
            and phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == number)


class NumberSource:
    """Valid, unique E.164 numbers per language: each candidate is checked by phonenumbers."""

    def __init__(self, generators: dict) -> None:
        self.generators = generators
        self.counters = dict.fromkeys(generators, 0)
        self.rejected = 0

    def next(self, lang: str) -> str:
        while True:
            k = self.counters[lang]
            self.counters[lang] = k + 1
            number = self.generators[lang](k)
            if is_valid_e164(number):
                return number
            self.rejected += 1


def unknown_numbers(count: int, known: set[str]) -> list[str]:
    source = NumberSource(_UNKNOWN)
    numbers: list[str] = []
    i = 0
    while len(numbers) < count:
        number = source.next(language_of(i))
        i += 1
        if number not in known:
            numbers.append(number)
    return numbers


def schema_fingerprint(src: Path) -> tuple[str, str]:
    """(Alembic head, digest of the migrations and the demo seed): the cache key's schema part."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(src / "migrations"))
    head = ScriptDirectory.from_config(config).get_current_head() or "base"
    digest = hashlib.sha256()
    for path in [*sorted((src / "migrations").rglob("*.py")), src / "app/ivr/seed.py"]:
        if path.exists():
            digest.update(path.relative_to(src).as_posix().encode())
            digest.update(path.read_bytes())
    return head, digest.hexdigest()[:10]


def cached_database(data_dir: Path, src: Path, customers: int, rebuild: bool = False) -> Path:
    """The built database for the app in `src` (a checkout), built now if not cached."""
    head, digest = schema_fingerprint(src)
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / f"customers-{customers}-{head}-{digest}-g{GENERATOR_VERSION}.sqlite3"
    if path.exists() and not rebuild:
        print(f"[bench] cached database {path.name}")
        return path
    for stale in data_dir.glob(f"customers-{customers}-*.sqlite3"):
        stale.unlink()
    building = path.with_suffix(".building")
    for leftover in data_dir.glob(building.name + "*"):
        leftover.unlink()
    started = time.monotonic()
    print(f"[bench] building {path.name}: migrating, then {customers:,} customers ...",
          flush=True)
    url = f"sqlite:///{building}"
    _flask(src, url, "db", "upgrade")
    rejected = _load_customers(url, customers)
    # Departments (and a handful of demo customers) so known callers hear the menu; after
    # the bulk load, whose explicit ids start at 1. Older checkouts have no such command.
    seeded = _flask(src, url, "ivr", "seed-demo", required=False)
    print(f"[bench] departments: {'seeded (flask ivr seed-demo)' if seeded else 'none'}")
    engine = create_engine(url)
    with engine.connect() as conn:
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    engine.dispose()
    os.replace(building, path)
    print(f"[bench] built in {time.monotonic() - started:.0f} s "
          f"({rejected:,} generated numbers rejected as invalid by phonenumbers)")
    return path


def working_copy(cached: Path, target: Path) -> Path:
    """A fresh copy per run: the run writes interaction rows, the cache stays pristine."""
    for leftover in target.parent.glob(target.name + "*"):
        leftover.unlink()
    shutil.copyfile(cached, target)
    return target


def _flask(src: Path, url: str, *command: str, required: bool = True) -> bool:
    """Run the app's own CLI (`flask --app app ...`) in `src` against the bench database."""
    env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING", "APP_ENV": "development"}
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "app", *command], cwd=src,
                          env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0 and required:
        raise RuntimeError(f"flask {' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return done.returncode == 0


def _rows(customers: int, numbers: NumberSource) -> Iterator[tuple[dict, dict]]:
    for i in range(customers):
        lang = language_of(i)
        first, last = _FIRST[lang], _LAST[lang]
        cid = i + 1
        yield (
            {"id": cid, "name": f"{first[i % 8]} {last[(i // 8) % 8]}",
             "account_number": f"{10_000_000 + cid}", "language": lang,
             "tier": "vip" if i % 50 == 0 else "standard", "notes": "",
             "created_at": CREATED, "updated_at": CREATED},
            {"id": cid, "customer_id": cid, "number": numbers.next(lang), "source": "import",
             "created_at": CREATED},
        )


def _load_customers(url: str, customers: int) -> int:
    engine = create_engine(url)
    # The migrated schema, not the models: the checkout under test may differ from ours.
    meta = MetaData()
    meta.reflect(engine, only=["customers", "customer_phones"])
    customers_t, phones_t = meta.tables["customers"], meta.tables["customer_phones"]
    numbers = NumberSource(_KNOWN)
    try:
        with engine.begin() as conn:
            # A throwaway build: durability buys nothing here.
            conn.execute(text("PRAGMA synchronous=OFF"))
            batch_c: list[dict] = []
            batch_p: list[dict] = []
            for customer, phone in _rows(customers, numbers):
                batch_c.append(customer)
                batch_p.append(phone)
                if len(batch_c) >= CHUNK:
                    conn.execute(insert(customers_t), batch_c)
                    conn.execute(insert(phones_t), batch_p)
                    batch_c, batch_p = [], []
            if batch_c:
                conn.execute(insert(customers_t), batch_c)
                conn.execute(insert(phones_t), batch_p)
    finally:
        engine.dispose()
    return numbers.rejected


def known_numbers(database: Path) -> list[str]:
    engine = create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as conn:
            return list(conn.execute(text("SELECT number FROM customer_phones")).scalars())
    finally:
        engine.dispose()
