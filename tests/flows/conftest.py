"""Whole calls through the offline Twilio emulator, with the hold clock running on virtual time.

`floor` gives a test the emulator, the demo departments and customers, agents with
softphones, and `floor.wait(seconds)`: time passes one second at a time and, after each
second, the hold clock fires whatever fell due, as the clock process would.
"""

from __future__ import annotations

import os
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from flask import Flask
from freezegun import freeze_time

from app.agents import services as agents
from app.extensions import db
from app.queue import queue_services
from app.telephony import TwilioGateway
from sim.emulator import Emulator
from sim.parties import Softphone
from sim.testing import emulator_for
from tests.conftest import AUTH_TOKEN, EVERY_LANGUAGE, PUBLIC_BASE_URL

NUMBER = "+15005550006"
# Wednesday 25 November 2026, 10:30 in Kolkata: every demo department is open.
OPEN_HOURS = "2026-11-25 05:00:00"
ASHA = "+919876543210"  # a demo customer: Hindi, picks billing with key 1
NURUL = "+60123456789"  # a demo customer: Malay


@dataclass
class Floor:
    app: Flask
    emu: Emulator

    def wait(self, seconds: float, step: float = 0.25) -> None:
        """Let time pass, firing the hold clock after every step (as its process would)."""
        end = self.emu.elapsed + seconds
        while self.emu.elapsed < end - 1e-9:
            self.emu.advance(min(step, end - self.emu.elapsed))
            self.tick()

    def tick(self) -> None:
        with self.app.app_context():
            queue_services().hold_clock().tick()
        self.emu.settle()  # the clock's REST requests (redirects) take effect

    def wait_until(self, predicate, timeout: float = 60.0, step: float = 0.25) -> float:
        """Let time pass, with the hold clock running, until `predicate()` holds."""
        start = self.emu.elapsed
        while not predicate():
            if self.emu.elapsed - start >= timeout:
                raise TimeoutError(f"not true after {timeout} s")
            self.wait(step, step)
        return self.emu.elapsed - start

    def agent(self, identity: str, departments: list[str], *, state: str = "available",
              role: str = "agent", languages: list[str] | None = None) -> Softphone:
        """An agent with an account, a softphone, and a state; speaking every language unless
        `languages` says otherwise."""
        with self.app.app_context():
            agents.create_agent(identity.title(), identity, role=role, departments=departments,
                                password="password123", languages=languages or EVERY_LANGUAGE)
            db.session.commit()
        phone = self.emu.softphone(identity)
        self.set_state(identity, departments, state)
        return phone

    def set_state(self, identity: str, departments: list[str], state: str,
                  reason: str = "busy") -> None:
        """What the agent's state switch does (routing included)."""
        with self.app.app_context():
            agent = agents.find_agent(identity)
            from app.queue import queue_services

            service = queue_services().service
            if state == "available":
                agents.change_state(service, agent, "available")
            else:
                service.store.set_agent_state(identity, state, departments, time.time(), reason)
        self.emu.settle()

    def store(self):
        with self.app.app_context():
            return queue_services().store

    def call_state(self, call_sid: str) -> dict[str, str]:
        return self.store().call(call_sid)

    def agent_state(self, identity: str) -> dict[str, str]:
        return self.store().agent(identity)


def chaos_seed() -> int | None:
    """The seed of delivery chaos (sim/chaos.py) for the running test, or None.

    Whole calls run under chaos by default, each test with its own fixed seed (from its
    name and SIM_CHAOS_SEED, default 0), so a failure replays. SIM_CHAOS=off runs callbacks
    in order; SIM_CHAOS_SEED=7 gives every test another seed.
    """
    if os.environ.get("SIM_CHAOS", "on").lower() in ("off", "0", "no", "false"):
        return None
    test = os.environ.get("PYTEST_CURRENT_TEST", "").split(" (")[0]
    base = os.environ.get("SIM_CHAOS_SEED", "0")
    return zlib.crc32(f"{base}:{test}".encode())


@contextmanager
def emulated_floor(app: Flask, moment: str, *,
                   chaos: int | None | str = "default") -> Iterator[Emulator]:
    """The demo data, time frozen at `moment`, and an emulator the app's REST client uses.

    Callbacks arrive as Twilio may send them: late, out of order, concurrently, twice
    (`chaos_seed()`; `chaos=None` for in order, or a seed of the test's own)."""
    result = app.test_cli_runner().invoke(args=["ivr", "seed-demo"])
    assert result.exit_code == 0, result.output
    seed = chaos_seed() if chaos == "default" else chaos
    with freeze_time(moment) as frozen, emulator_for(
            app, public_base_url=PUBLIC_BASE_URL, auth_token=AUTH_TOKEN,
            account_sid=app.config["TWILIO_ACCOUNT_SID"], number=NUMBER,
            freezer=frozen) as emu:
        emu.set_chaos(seed if isinstance(seed, int) else None)
        # Redirects, participants, outbound calls and recordings all go to this emulator.
        app.config["TWILIO_API_BASE_URL"] = emu.base_url
        app.extensions["twilio_gateway"] = TwilioGateway.from_config(
            {**app.config, "TWILIO_MODE": "emulator"})
        try:
            yield emu
        except BaseException as exc:
            if emu.chaos is not None:
                exc.add_note(f"callbacks under delivery chaos, seed {emu.chaos.seed} "
                             "(SIM_CHAOS=off to run them in order)")
            raise


@pytest.fixture
def floor(app: Flask) -> Iterator[Floor]:
    with emulated_floor(app, OPEN_HOURS) as emu:
        yield Floor(app, emu)
