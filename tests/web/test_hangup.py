"""A closed tab frees its web thread: the event streams notice the client's FIN themselves."""

from __future__ import annotations

import socket

from app.dashboard import sse as floor_sse
from app.queue import queue_services
from app.web import sse
from app.web.hangup import client_gone


def test_an_open_connection_is_not_gone_and_a_closed_one_is():
    server_side, browser_side = socket.socketpair()
    try:
        gone = client_gone({"gunicorn.socket": server_side})
        assert gone() is False
        browser_side.sendall(b"x")  # bytes waiting are not a hang-up, and stay unread
        assert gone() is False
        assert server_side.recv(1) == b"x"
        browser_side.close()
        assert gone() is True
    finally:
        server_side.close()


def test_without_a_socket_to_look_at_nobody_is_ever_gone():
    assert client_gone({})() is False
    assert client_gone({"gunicorn.socket": object()})() is False


def test_the_console_stream_ends_when_the_browser_has_gone(app):
    server_side, browser_side = socket.socketpair()
    with app.app_context():
        events = queue_services().events
        stream = sse.stream(events.redis, events.agent_stream("amy"), {"identity": "amy"},
                             pacing=sse.Pacing(duration=30, block_ms=20),
                             gone=client_gone({"gunicorn.socket": server_side}))
        assert next(stream).startswith("retry:")
        assert next(stream).startswith("event: hello")
        browser_side.close()
        # 30 s of stream left, but the generator finishes on its next turn.
        assert list(stream) == []
    server_side.close()


class QuietFloor:
    def latest_id(self) -> str:
        return "0-0"

    def panels(self) -> dict:
        return {}

    def figures(self) -> dict:
        return {}

    def read(self, after: str, block_ms: int) -> list:
        return []

    def describe(self, event: dict) -> None:
        return None


def test_the_floor_stream_ends_when_the_browser_has_gone():
    server_side, browser_side = socket.socketpair()
    stream = floor_sse.stream(QuietFloor(), pacing=floor_sse.Pacing(duration=30, block_ms=20),
                               gone=client_gone({"gunicorn.socket": server_side}))
    assert [next(stream) for _ in range(3)][1].startswith("event: snapshot")
    browser_side.close()
    assert list(stream) == []
    server_side.close()
