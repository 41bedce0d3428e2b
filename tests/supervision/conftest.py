"""Supervisors on the emulated floor: the wrap-up tests' API floor, reused."""

from tests.wrapup.conftest import ApiFloor, floor  # noqa: F401  (fixture)

__all__ = ["ApiFloor"]
