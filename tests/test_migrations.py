"""Migrations upgrade and downgrade cleanly, on SQLite and (with TEST_DATABASE_URL) PostgreSQL.

Each test gets an empty database of its own and walks the real Alembic history: head to base
and back to the same schema, every step down and up again, downgrades with rows in the
tables, and a head that matches the models (so no model change ships without a migration).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from app import MIGRATIONS_DIR, create_app
from app.embedded_redis import EmbeddedRedis
from app.extensions import db
from tests.conftest import (
    TEST_DATABASE_URL,
    create_postgres_database,
    dispose_engine,
    drop_postgres_database,
    settings_for_database,
)

DIALECTS = [
    "sqlite",
    pytest.param("postgresql", marks=pytest.mark.skipif(
        not TEST_DATABASE_URL, reason="TEST_DATABASE_URL not set (make test-pg runs this)")),
]


@pytest.fixture(params=DIALECTS)
def empty_app(request: pytest.FixtureRequest, tmp_path: Path,
              redis_server: EmbeddedRedis) -> Iterator[Flask]:
    """An app over an empty database of the dialect named by the parameter."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    else:
        name = f"cc_migrations_{os.getpid()}_{request.node.name[-40:]}"
        name = "".join(c if c.isalnum() else "_" for c in name).lower()
        url = create_postgres_database(name)
    app = create_app(settings_for_database(url, redis_server.url))
    yield app
    dispose_engine(app)
    if request.param != "sqlite":
        drop_postgres_database(name)


def revisions() -> list[str]:
    """Every revision id, oldest first (the history must be one straight line)."""
    script = ScriptDirectory(str(MIGRATIONS_DIR))
    assert len(script.get_heads()) == 1, f"more than one head: {script.get_heads()}"
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def current(app: Flask) -> str | None:
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def schema(app: Flask) -> dict[str, Any]:
    """What the database holds, comparable between two runs: tables, columns, keys, indexes,
    and (PostgreSQL) the types and sequences that outlive a careless DROP TABLE. Alembic's
    own table is left out."""
    db.session.remove()
    db.engine.dispose()  # SQLite's batch migrations rebuild tables: no stale reflection
    inspector = inspect(db.engine)
    tables = {}
    for table in sorted(set(inspector.get_table_names()) - {"alembic_version"}):
        tables[table] = {
            "columns": [(c["name"], str(c["type"]), c["nullable"], str(c.get("default")))
                        for c in inspector.get_columns(table)],
            "pk": inspector.get_pk_constraint(table)["constrained_columns"],
            "fks": sorted((fk["name"] or "", tuple(fk["constrained_columns"]),
                           fk["referred_table"], tuple(fk["referred_columns"]),
                           str(fk.get("options", {}).get("ondelete")))
                          for fk in inspector.get_foreign_keys(table)),
            "indexes": sorted((ix["name"] or "", tuple(ix["column_names"]), bool(ix["unique"]))
                              for ix in inspector.get_indexes(table)),
            "unique": sorted((uq["name"] or "", tuple(uq["column_names"]))
                             for uq in inspector.get_unique_constraints(table)),
        }
    result: dict[str, Any] = {"tables": tables}
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as connection:
            result["types"] = sorted(connection.scalars(text(
                "SELECT typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
                "WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd', 'c') "
                "AND t.typrelid = 0")))
            result["sequences"] = sorted(connection.scalars(text(
                "SELECT sequence_name FROM information_schema.sequences "
                "WHERE sequence_schema = 'public'")))
    return result


def test_head_to_base_and_back_gives_the_same_schema(empty_app: Flask):
    with empty_app.app_context():
        upgrade()
        assert current(empty_app) == revisions()[-1]
        first = schema(empty_app)
        assert len(first["tables"]) > 10

        downgrade(revision="base")
        assert current(empty_app) is None
        left = schema(empty_app)
        assert not left["tables"], left["tables"]
        assert not left.get("types") and not left.get("sequences"), left

        upgrade()
        assert schema(empty_app) == first


def test_every_step_goes_down_and_up_again(empty_app: Flask):
    with empty_app.app_context():
        before = schema(empty_app)
        for revision in revisions():
            upgrade(revision=revision)
            after = schema(empty_app)
            assert after != before, f"{revision} changed nothing"
            downgrade(revision="-1")
            assert schema(empty_app) == before, f"{revision} does not downgrade to its parent"
            upgrade(revision=revision)
            assert schema(empty_app) == after, f"{revision} differs on a second upgrade"
            before = after


def test_downgrades_run_with_rows_in_the_tables(empty_app: Flask):
    # The demo departments, prompts and customers, an agent: what a running centre has.
    with empty_app.app_context():
        upgrade()
    result = empty_app.test_cli_runner().invoke(args=["ivr", "seed-demo"])
    assert result.exit_code == 0, result.output
    with empty_app.app_context():
        from app.agents import services as agents

        agents.create_agent("Amy", "amy", role="agent", departments=["billing"],
                            password="password123")
        db.session.commit()
        assert db.session.execute(text("SELECT count(*) FROM customers")).scalar() > 0
        db.session.remove()  # its open transaction would hold locks the DROPs wait on
        for revision in reversed(revisions()[:-1]):
            downgrade(revision=revision)
            assert current(empty_app) == revision
        downgrade(revision="base")
        assert schema(empty_app)["tables"] == {}


def test_head_matches_the_models(empty_app: Flask):
    with empty_app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        assert differences == [], "the models and the migrations differ (a migration missing?)"


def test_agents_there_before_languages_speak_the_default_language(empty_app: Flask):
    with empty_app.app_context():
        upgrade(revision="0006_call_controls")
        db.session.execute(text(
            "INSERT INTO agents (name, identity, role, password_hash, active, created_at) "
            "VALUES ('Old Hand', 'old_hand', 'agent', '', :yes, CURRENT_TIMESTAMP)"),
            {"yes": True})
        db.session.commit()
        db.session.remove()
        upgrade(revision="0007_agent_languages")
        assert db.session.execute(text(
            "SELECT languages FROM agents WHERE identity = 'old_hand'")).scalar() == (
            empty_app.config["DEFAULT_LANGUAGE"])
        db.session.remove()
