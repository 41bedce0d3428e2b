"""A signed-in supervisor for the admin pages (the dashboard's fixtures, shared)."""

from __future__ import annotations

from tests.dashboard.conftest import people, supervisor  # noqa: F401

__all__ = ["people", "supervisor"]
