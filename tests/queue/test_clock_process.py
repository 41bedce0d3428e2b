"""The clock process (`flask queue clock`) stops promptly on SIGTERM, even stuck in an offer
to a Twilio that never answers; the offer is not lost (its lease brings it back)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.queue import queue_services
from app.queue.services import Caller

ROOT = Path(__file__).resolve().parents[2]
LADDER = [{"at": 0, "action": "announce"}, {"at": 1, "action": "offer"}]


@pytest.fixture
def silent_twilio() -> Iterator[str]:
    """An API host that takes connections and never answers."""
    server = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_sigterm_stops_a_clock_stuck_in_an_offer_within_seconds(app, silent_twilio):
    config = app.config
    with app.app_context():
        service = queue_services().service
        service.store.set_agent_state("busy_bee", "away", ["billing"], time.time(), "meeting")
        service.join(Caller("CA" + "1" * 32, "billing", "Billing", "en", "+14155550100",
                            None, None, False, {"ladder": LADDER}))
    env = {**os.environ, "APP_ENV": "development", "LOG_LEVEL": "WARNING",
           "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"], "REDIS_URL": config["REDIS_URL"],
           "TWILIO_MODE": "emulator", "TWILIO_API_BASE_URL": silent_twilio,
           "TWILIO_ACCOUNT_SID": config["TWILIO_ACCOUNT_SID"],
           "TWILIO_AUTH_TOKEN": config["TWILIO_AUTH_TOKEN"],
           # Each try waits 3 s for an answer, three tries: ~10 s inside the offer.
           "TWILIO_REST_TIMEOUT_SECONDS": "3", "TWILIO_REST_RETRIES": "2"}
    flask = str(Path(sys.executable).parent / "flask")
    clock = subprocess.Popen([flask, "--app", "app", "queue", "clock"], env=env, cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert "hold clock running" in (clock.stdout.readline() or "")
        store = service.store
        deadline = time.monotonic() + 20
        while store.call("CA" + "1" * 32).get("state") != "in_offer":  # the offer went out
            assert time.monotonic() < deadline, "the clock never started the offer"
            time.sleep(0.1)
        time.sleep(0.5)
        sent = time.monotonic()
        clock.send_signal(signal.SIGTERM)
        clock.wait(timeout=15)
        took = time.monotonic() - sent
    finally:
        if clock.poll() is None:
            clock.kill()
            clock.wait()
    assert took < 5, f"the clock took {took:.1f} s to stop"
    # Not fired, still leased: a clock started again sends the offer.
    member = f"step|{'CA' + '1' * 32}|1|1"
    assert store.redis.zscore(store.keys.leases, member) is not None
    assert not store.call("CA" + "1" * 32).get("fired:1:1")
