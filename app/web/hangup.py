"""Noticing that the browser closed a server-sent events connection.

A WSGI server learns that a client went away only when a write fails, and the first write
after the close usually still succeeds (the kernel buffers it), so a stream that writes a
keep-alive every 2 s holds its web thread for 2-4 s after a tab is closed or reloaded. Every
open console and dashboard holds one thread, so an agent reloading a few times, or a
supervisor flipping between pages, can take every thread of a small server for a few seconds
(webhooks wait behind them). gunicorn hands the app the client's socket; a closed one reads
as readable with nothing to read, which the streams check between reads of Redis.
"""

from __future__ import annotations

import select
import socket
from collections.abc import Callable
from typing import Any


def never() -> bool:
    return False


def client_gone(environ: dict[str, Any]) -> Callable[[], bool]:
    """A check that is True once the client has closed this request's connection.

    Without a socket to look at (another server, the test client) it is always False and
    the keep-alive writes find out as before.
    """
    sock = environ.get("gunicorn.socket")
    if not isinstance(sock, socket.socket) or hasattr(sock, "context"):  # TLS: cannot peek
        return never

    def gone() -> bool:
        try:
            readable, _, _ = select.select([sock], [], [], 0)
            # Readable with no bytes is the peer's FIN; bytes (a pipelined request, which
            # browsers do not send on a stream) are left alone.
            return bool(readable) and sock.recv(1, socket.MSG_PEEK) == b""
        except (OSError, ValueError):
            return True

    return gone
