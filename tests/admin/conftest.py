"""Signed-in browsers for the administration pages (the dashboard's fixtures, shared)."""

from __future__ import annotations

from tests.dashboard.conftest import agent_browser, people, supervisor  # noqa: F401

__all__ = ["agent_browser", "people", "supervisor"]
