"""Flask CLI commands (`flask --app app ...`)."""

from __future__ import annotations

import click
from flask import Flask

from config import app_settings


def register(app: Flask) -> None:
    @app.cli.group("sim")
    def sim_group() -> None:
        """The offline Twilio emulator's terminal phone."""

    @sim_group.command("call")
    @click.argument("from_number")
    @click.option("--to", "to_number", default=None, help="The number dialled (default: ours).")
    @click.option("--sim-url", default=None, help="The running emulator's URL.")
    def sim_call(from_number: str, to_number: str | None, sim_url: str | None) -> None:
        """Dial in as FROM_NUMBER: prints what the caller hears, reads the keys you type."""
        from sim.phone import main as phone_main

        args = [from_number, "--to", to_number or app_settings().TWILIO_PHONE_NUMBER]
        args += ["--sim-url", sim_url or f"http://127.0.0.1:{app_settings().EMULATOR_PORT}"]
        raise SystemExit(phone_main(args))
