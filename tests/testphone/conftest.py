"""The emulated floor (the test phone drives the emulator's control API over HTTP)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from tests.flows.conftest import OPEN_HOURS, Floor, emulated_floor


@pytest.fixture
def floor(app: Flask) -> Iterator[Floor]:
    with emulated_floor(app, OPEN_HOURS) as emu:
        yield Floor(app, emu)
