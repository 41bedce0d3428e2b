"""`python -m sim run SCENARIO.yaml`: a scripted call flow against a running app.

A scenario names parties and steps; the runner dials, waits, presses, speaks and checks what
parties heard, then exits non-zero if an expectation failed or a caller heard an application
error. Every event goes to a JSON-lines log.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import IO, Any

import yaml

from sim.clock import RealClock, VirtualClock
from sim.emulator import Emulator
from sim.parties import Party
from sim.serve import credentials
from sim.transport import HttpTransport, Transport

STATES = {
    "ended": lambda p, c: c is not None and c.ended,
    "gathering": lambda p, c: c is not None and c.activity == "gather",
    "awaiting_input": lambda p, c: c is not None and c.activity == "gather"
    and c.awaiting_input,
    "recording": lambda p, c: c is not None and c.activity == "record",
    "in_conference": lambda p, c: c is not None and c.activity == "conference",
    "in_queue": lambda p, c: c is not None and c.activity == "queue",
    "bridged": lambda p, c: c is not None and c.activity == "bridged",
    "ringing": lambda p, c: p.is_ringing,
    "connected": lambda p, c: p.call is not None,
}


class ScenarioFailed(Exception):
    pass


def load(path: str | Path) -> dict[str, Any]:
    text = Path(path).read_text(encoding="utf-8")
    spec = json.loads(text) if str(path).endswith(".json") else yaml.safe_load(text)
    if not isinstance(spec, dict) or not isinstance(spec.get("steps"), list):
        raise ValueError(f"{path}: a scenario is a mapping with a list of steps")
    return spec


class Runner:
    def __init__(self, spec: dict[str, Any], emu: Emulator, out: IO[str]) -> None:
        self.spec, self.emu, self.out = spec, emu, out
        self.parties: dict[str, Party] = {}
        self.calls: dict[str, str] = {}  # party name -> its latest call SID
        self.number = str(spec.get("number", "+15005550006"))

    def say(self, line: str) -> None:
        self.out.write(f"[{self.emu.elapsed:7.1f}] {line}\n")
        self.out.flush()

    def run(self) -> None:
        for name, conf in (self.spec.get("parties") or {}).items():
            self.parties[name] = self._party(conf)
        for index, step in enumerate(self.spec["steps"], 1):
            kind, arg = self._split(step)
            self.emu.log("scenario_step", index=index, step=kind, arg=arg)
            getattr(self, f"step_{kind}")(arg)

    def _split(self, step: Any) -> tuple[str, Any]:
        if isinstance(step, str):
            return step, None
        if not isinstance(step, dict) or len(step) != 1:
            raise ValueError(f"a step is a one-key mapping, not {step!r}")
        kind, arg = next(iter(step.items()))
        if not hasattr(self, f"step_{kind}"):
            raise ValueError(f"unknown step {kind!r}")
        return kind, arg

    def _party(self, conf: dict[str, Any]) -> Party:
        if "softphone" in conf:
            return self.emu.softphone(str(conf["softphone"]), answer_after=conf.get("answer_after"))
        return self.emu.phone(str(conf.get("phone") or conf.get("number")),
                              answer_after=conf.get("answer_after"), policy=conf.get("policy"))

    def _who(self, arg: Any, key: str = "party") -> tuple[Party, dict[str, Any]]:
        opts = arg if isinstance(arg, dict) else {}
        name = opts.get(key) or (arg if isinstance(arg, str) and arg in self.parties else None)
        name = name or "caller"
        if name not in self.parties:
            raise ValueError(f"no party named {name!r}")
        return self.parties[name], opts

    def _call(self, party: Party) -> Any:
        name = next(n for n, p in self.parties.items() if p is party)
        sid = self.calls.get(name) or (party.call.sid if party.call else None)
        return self.emu.store.calls.get(sid) if sid else party.call

    # -- steps ---------------------------------------------------------------------------

    def step_dial_in(self, arg: Any) -> None:
        opts = arg if isinstance(arg, dict) else {"from": arg}
        name = opts.get("as", "caller")
        handle = self.emu.dial_in(str(opts["from"]), str(opts.get("to", self.number)),
                                  forwarded_from=opts.get("forwarded_from"),
                                  caller_name=opts.get("caller_name"))
        self.parties[name], self.calls[name] = handle.party, handle.sid
        self.say(f"{name} ({handle.party.address}) dials {opts.get('to', self.number)}")

    def step_softphone(self, arg: dict[str, Any]) -> None:
        name = arg.get("as", arg["identity"])
        self.parties[name] = self.emu.softphone(str(arg["identity"]),
                                                answer_after=arg.get("answer_after"))
        self.say(f"softphone {arg['identity']} is online")

    def step_phone(self, arg: dict[str, Any]) -> None:
        self.parties[arg.get("as", str(arg["number"]))] = self._party(arg)

    def step_wait(self, arg: Any) -> None:
        self.emu.advance(float(arg))

    def step_press(self, arg: Any) -> None:
        party, opts = self._who(arg)
        digits = str(opts.get("digits") if opts else arg)
        self.say(f"{party.address} presses {digits}")
        call = self._call(party)
        party.press(digits, call.sid if call else None)

    def step_say(self, arg: Any) -> None:
        party, opts = self._who(arg)
        text = str(opts.get("text") if opts else arg)
        self.say(f"{party.address} says {text!r}")
        call = self._call(party)
        party.say(text, call.sid if call else None)

    def step_hangup(self, arg: Any) -> None:
        party, _ = self._who(arg)
        call = self._call(party)
        self.say(f"{party.address} hangs up")
        party.hangup(call.sid if call and not call.ended else None)

    def step_answer(self, arg: Any) -> None:
        party, opts = self._who(arg)
        self.emu.run_until(lambda: party.is_ringing, float(opts.get("within", 30)))
        party.answer()
        self.say(f"{party.address} answers")

    def step_reject(self, arg: Any) -> None:
        party, opts = self._who(arg)
        self.emu.run_until(lambda: party.is_ringing, float(opts.get("within", 30)))
        party.reject()

    def step_transcription_text(self, arg: Any) -> None:
        self.emu.queue_transcription(str(arg))

    def step_expect_heard(self, arg: Any) -> None:
        opts = arg if isinstance(arg, dict) else {"text": arg}
        party, _ = self._who(opts)
        text, within = str(opts["text"]), float(opts.get("within", 30))
        try:
            self.emu.run_until(lambda: party.has_heard(text), within)
        except TimeoutError:
            self._fail(f"{party.address} did not hear {text!r} within {within:g} s", party)
        self.emu.log("expectation", ok=True, party=party.address, heard=text)
        self.say(f"ok: {party.address} heard {text!r}")

    def step_expect_not_heard(self, arg: Any) -> None:
        opts = arg if isinstance(arg, dict) else {"text": arg}
        party, _ = self._who(opts)
        if party.has_heard(str(opts["text"])):
            self._fail(f"{party.address} heard {opts['text']!r}", party)
        self.say(f"ok: {party.address} did not hear {opts['text']!r}")

    def step_wait_until(self, arg: dict[str, Any]) -> None:
        party, opts = self._who(arg)
        state, within = opts["state"], float(opts.get("within", 30))
        check = STATES[state]
        try:
            self.emu.run_until(lambda: check(party, self._call(party)), within)
        except TimeoutError:
            self._fail(f"{party.address} was not {state} within {within:g} s", party)
        self.say(f"ok: {party.address} is {state}")

    def step_expect_status(self, arg: dict[str, Any]) -> None:
        party, opts = self._who(arg)
        call = self._call(party)
        status = call.status if call else None
        if status != opts["status"]:
            self._fail(f"{party.address}'s call is {status}, not {opts['status']}", party)
        self.say(f"ok: {party.address}'s call is {status}")

    def _fail(self, message: str, party: Party | None = None) -> None:
        self.emu.log("expectation", ok=False, message=message)
        if party is not None:
            message += "\n  it heard:\n    " + "\n    ".join(party.transcript() or ["nothing"])
        raise ScenarioFailed(message)


def run_scenario(spec: dict[str, Any], *, app_url: str | None = None, port: int | None = None,
                 log_path: str | None = None, clock: str | None = None,
                 transport: Transport | None = None, out: IO[str] | None = None) -> int:
    """Run one scenario; 0 if every expectation held and no application error occurred."""
    out = out or sys.stdout
    creds = credentials()
    base = (app_url or spec.get("app_url") or "http://127.0.0.1:5000").rstrip("/")
    paths = {"voice": "/ivr/incoming", "fallback": "/ivr/fallback", "status": "/ivr/status",
             **(spec.get("paths") or {})}
    mode = clock or spec.get("clock", "real")
    emu = Emulator(spec.get("account_sid") or creds["account_sid"],
                   spec.get("auth_token") or creds["auth_token"],
                   clock=RealClock() if mode == "real" else VirtualClock(),
                   transport=transport or HttpTransport())
    number = str(spec.get("number", "+15005550006"))
    emu.add_number(number, base + paths["voice"],
                   fallback_url=base + paths["fallback"] if paths["fallback"] else None,
                   status_callback=base + paths["status"] if paths["status"] else None)
    if spec.get("client_voice_path"):
        emu.add_application(base + spec["client_voice_path"], sid=creds["twiml_app_sid"])
    rest = emu.start_rest_server(port=int(port if port is not None else spec.get("rest_port", 0)))
    if mode == "real":
        emu.start()
    runner = Runner(spec, emu, out)
    runner.say(f"scenario {spec.get('name', '')!r}: app {base}, emulator REST {rest}")
    code = 0
    try:
        runner.run()
        emu.advance(float(spec.get("settle", 2)))
    except ScenarioFailed as exc:
        runner.say(f"FAILED: {exc}")
        code = 1
    finally:
        for call in list(emu.store.calls.values()):
            if not call.ended and call.party is not None and call.proc is not None:
                call.party.hangup(call.sid)
        emu.advance(0.5)
        emu.stop()
        if log_path:
            emu.write_log(log_path)
    if emu.application_errors:
        runner.say(f"FAILED: {len(emu.application_errors)} application error(s): a caller "
                   "heard 'an application error has occurred'")
        code = 1
    for err in emu.errors(webhooks=True):
        runner.say(f"warning: {err['type']} {err.get('url', '')} {err.get('reason', '')}")
    runner.say("PASSED" if code == 0 else "scenario failed")
    return code


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m sim run", description=__doc__)
    p.add_argument("scenario")
    p.add_argument("--app-url", default=None, help="the running app (default: scenario's)")
    p.add_argument("--port", type=int, default=None, help="emulator REST port (0: any)")
    p.add_argument("--log", default=None, help="write every event here (JSON lines)")
    p.add_argument("--clock", choices=["real", "virtual"], default=None)
    args = p.parse_args(argv)
    return run_scenario(load(args.scenario), app_url=args.app_url, port=args.port,
                        log_path=args.log, clock=args.clock)
