"""`python -m sim phone +15551230000`: a telephone in the terminal, talking to a running
emulator's control API. Prints what the caller hears; reads keys, `say ...`, `h`."""

from __future__ import annotations

import argparse
import contextlib
import select
import sys
import threading
import time
from typing import IO
from urllib.parse import quote

import requests

HELP = "Type digits (0-9 * #) and Enter to press them, 'say <words>' to speak, 'h' to hang up."


class TerminalPhone:
    def __init__(self, sim_url: str, number: str, out: IO[str]) -> None:
        self.sim_url = sim_url.rstrip("/")
        self.number = number
        self.out = out
        self.call_sid: str | None = None
        self.ended = threading.Event()
        self.http = requests.Session()
        self._t0: float | None = None

    def dial(self, to: str | None) -> None:
        resp = self.http.post(f"{self.sim_url}/_sim/calls", json={"from": self.number, "to": to},
                              timeout=10)
        resp.raise_for_status()
        self.call_sid = resp.json()["call_sid"]
        self.print(f"Calling {to or 'the emulator'} from {self.number} ({self.call_sid}). {HELP}")

    def print(self, line: str) -> None:
        self.out.write(line + "\n")
        self.out.flush()

    def listen(self) -> None:
        """Long-poll the party's transcript and print this call's part of it."""
        since = 0
        address = quote(self.number, safe="")
        while not self.ended.is_set():
            try:
                resp = self.http.get(f"{self.sim_url}/_sim/parties/{address}/events",
                                     params={"since": since, "wait": 10}, timeout=20)
                data = resp.json()
            except requests.RequestException:
                time.sleep(0.5)
                continue
            since = data["next"]
            for entry in data["events"]:
                if entry.get("call_sid") != self.call_sid:
                    continue
                if self._t0 is None:
                    self._t0 = entry["t"]
                self.print(f"[{_clock(entry['t'] - self._t0)}] {entry['line']}")
                if entry["kind"] == "hangup":
                    self.ended.set()

    def send(self, line: str) -> bool:
        """Act on one typed line; False when the phone should stop."""
        line = line.strip()
        if not line:
            return True
        base = f"{self.sim_url}/_sim/calls/{self.call_sid}"
        if line in ("h", "hangup", "q"):
            self.http.post(f"{base}/hangup", json={}, timeout=10)
            return False
        if line.startswith("say "):
            self.http.post(f"{base}/say", json={"text": line[4:]}, timeout=10)
        elif line.startswith("wait "):
            self.ended.wait(float(line[5:]))
        elif all(c in "0123456789*#" for c in line):
            self.http.post(f"{base}/press", json={"digits": line}, timeout=10)
        else:
            self.print(HELP)
        return True


def main(argv: list[str] | None = None, stdin: IO[str] | None = None,
         stdout: IO[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m sim phone", description=__doc__)
    p.add_argument("number", help="the caller's number, e.g. +15551230000")
    p.add_argument("--to", default=None, help="the number to dial (the emulator's first)")
    p.add_argument("--sim-url", default="http://127.0.0.1:8099")
    args = p.parse_args(argv)
    stdin = stdin or sys.stdin
    phone = TerminalPhone(args.sim_url, args.number, stdout or sys.stdout)
    try:
        phone.dial(args.to)
    except requests.RequestException as exc:
        phone.print(f"Cannot reach the emulator at {args.sim_url}: {exc}")
        return 2
    listener = threading.Thread(target=phone.listen, daemon=True)
    listener.start()
    try:
        while not phone.ended.is_set():
            line = _readline(stdin, phone.ended)
            if line is None:
                continue
            if line == "" or not phone.send(line):  # EOF or hang up
                if line == "":
                    phone.send("h")
                break
    except KeyboardInterrupt:
        phone.send("h")
    phone.ended.wait(5)
    return 0


def _readline(stream: IO[str], ended: threading.Event) -> str | None:
    """A line, '' at end of input, or None if nothing was typed yet (so hangups are seen)."""
    with contextlib.suppress(AttributeError, ValueError, OSError):
        ready, _, _ = select.select([stream], [], [], 0.2)
        if not ready:
            return None
    return stream.readline()


def _clock(t: float) -> str:
    minutes, seconds = divmod(max(t, 0.0), 60)
    return f"{int(minutes):02d}:{seconds:04.1f}"
