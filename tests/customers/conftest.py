"""Helpers for the customers tests: CSV files, the import command, authorised API calls."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.customers.models import Customer
from app.extensions import db

HEADER = "name,phone,account_number,language,tier,notes"


@pytest.fixture
def csv_file(tmp_path: Path):
    """Write lines (a header is added unless `header=None`) to a CSV file; its path."""

    def write(*lines: str, header: str | None = HEADER, name: str = "customers.csv") -> Path:
        path = tmp_path / name
        content = "\n".join(([header] if header is not None else []) + list(lines)) + "\n"
        path.write_text(content, encoding="utf-8")
        return path

    return write


@pytest.fixture
def run_import(app):
    """Run `flask customers import` through the CLI runner; the click Result."""
    runner = app.test_cli_runner()

    def run(path: Path, *options: str):
        return runner.invoke(args=["customers", "import", str(path), *options])

    return run


@pytest.fixture
def auth(app) -> dict[str, str]:
    return {"Authorization": f"Bearer {app.config['ADMIN_API_TOKEN']}"}


@pytest.fixture
def stored(app):
    """Every customer in the database as plain dicts keyed by account number."""

    def read() -> dict[str | None, dict]:
        with app.app_context():
            return {
                c.account_number: {
                    "id": c.id, "name": c.name, "language": c.language, "tier": c.tier,
                    "notes": c.notes, "phones": [p.number for p in c.phones],
                    "sources": [p.source for p in c.phones], "updated_at": c.updated_at,
                }
                for c in db.session.scalars(select(Customer))
            }

    return read
