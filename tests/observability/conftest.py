"""Capture what the app's own log handler writes, as JSON lines."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from flask import Flask

from app.observability.logs import configure_logging
from tests.flows.conftest import floor  # noqa: F401  (whole calls through the emulator)


class LogLines:
    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def entries(self) -> list[dict]:
        return [json.loads(line) for line in self.text.splitlines() if line.strip()]


@pytest.fixture
def json_logs(app: Flask) -> Iterator[LogLines]:
    stream = io.StringIO()
    app.config["LOG_FORMAT"] = "json"
    app.config["LOG_LEVEL"] = "DEBUG"
    configure_logging(app, stream=stream)
    yield LogLines(stream)
    app.config["LOG_FORMAT"] = "text"
    app.config["LOG_LEVEL"] = "INFO"
    configure_logging(app)
    logging.getLogger().setLevel(logging.INFO)
