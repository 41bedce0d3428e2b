"""The emulator as a process: `serve` with its control API, the terminal phone, and the
scenario runner, against an app reached over real HTTP."""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from flask import Response
from werkzeug.serving import make_server

from sim.scenario import run_scenario
from sim.serve import DEV_ACCOUNT_SID, DEV_AUTH_TOKEN, add_arguments, serve
from sim.testing import twilio_client
from tests.sim.apps import hits, make_app, respond

ROOT = Path(__file__).resolve().parents[2]
GREETING = respond("<Say voice='Polly.Joanna'>Thank you for calling Example Support</Say>",
                   "<Gather numDigits='1' action='/ivr/menu' timeout='10'>"
                   "<Say>Press one for billing</Say></Gather>")


@pytest.fixture
def http_app():
    """Serve a test app over HTTP on a free port; signatures checked against that URL."""
    servers = []

    def start(routes, token=DEV_AUTH_TOKEN):
        holder = {}
        server = make_server("127.0.0.1", 0, lambda env, sr: holder["app"](env, sr),
                             threaded=True)
        base = f"http://127.0.0.1:{server.server_port}"
        holder["app"] = make_app(routes, token=token, base=base)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                  daemon=True)
        thread.start()
        servers.append((server, thread))
        return base, holder["app"]

    yield start
    for server, thread in servers:
        server.shutdown()
        thread.join()


ROUTES = {
    "/ivr/incoming": GREETING,
    "/ivr/menu": lambda hit: respond(
        f"<Say>Billing it is, you pressed {hit.params['Digits']}</Say>",
        "<Dial><Client>agent_42</Client></Dial>"),
    "/ivr/fallback": respond("<Say>fallback</Say>"),
}


@pytest.fixture
def served(http_app, monkeypatch):
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    base, app = http_app(ROUTES)
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(["--port", "0", "--app-url", base])
    ready, stop = threading.Event(), threading.Event()
    thread = threading.Thread(target=serve, args=(args, ready, stop), daemon=True)
    thread.start()
    assert ready.wait(10)
    emu = ready.emulator
    emu.words_per_minute = 1500  # ten times faster speech keeps real-time tests short
    yield emu, app
    stop.set()
    thread.join(10)


def poll_heard(sim_url, address, text, timeout=10):
    since, lines = 0, []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        data = requests.get(f"{sim_url}/_sim/parties/{requests.utils.quote(address, safe='')}"
                            "/events", params={"since": since, "wait": 2}, timeout=10).json()
        since = data["next"]
        lines += [e["line"] for e in data["events"]]
        if any(text in line for line in lines):
            return lines
    raise AssertionError(f"{address} never heard {text!r}: {lines}")


def test_serve_control_api_drives_a_call_in_real_time(served):
    emu, app = served
    sim = emu.base_url
    assert requests.get(f"{sim}/_sim/health").json()["numbers"] == ["+15005550006"]
    r = requests.post(f"{sim}/_sim/softphones", json={"identity": "agent_42"})
    assert r.status_code == 201 and r.json()["online"] is True
    r = requests.post(f"{sim}/_sim/calls", json={"from": "+15551230000"})
    assert r.status_code == 201
    sid = r.json()["call_sid"]
    lines = poll_heard(sim, "+15551230000", "Press one for billing")
    assert lines[0] == "Say (en-US, Polly.Joanna): Thank you for calling Example Support"
    requests.post(f"{sim}/_sim/calls/{sid}/press", json={"digits": "1"})
    poll_heard(sim, "client:agent_42", "incoming call from +15551230000")
    requests.post(f"{sim}/_sim/softphones/agent_42/answer", json={})
    poll_heard(sim, "+15551230000", "Connected to client:agent_42")
    requests.post(f"{sim}/_sim/softphones/agent_42/say", json={"text": "Hello from Priya"})
    poll_heard(sim, "+15551230000", "client:agent_42 says: Hello from Priya")
    state = requests.get(f"{sim}/_sim/state").json()
    assert {c["sid"]: c["activity"] for c in state["calls"]}[sid] == "bridged"
    # The same port speaks Twilio's REST API, with the development credentials.
    assert twilio_client(emu).calls(sid).fetch().status == "in-progress"
    assert emu.account_sid == DEV_ACCOUNT_SID
    requests.post(f"{sim}/_sim/calls/{sid}/hangup", json={})
    poll_heard(sim, "client:agent_42", "Hangup: completed")
    assert all(h.valid for h in hits(app))
    events = requests.get(f"{sim}/_sim/events", params={"since": 0}).json()["events"]
    assert any(e["type"] == "webhook" and e["url"].endswith("/ivr/menu") for e in events)


def test_terminal_phone_prints_what_the_caller_hears(served):
    emu, app = served
    emu.softphone("agent_42", answer_after=0.2)
    stdin = io.StringIO("wait 0.8\n1\nwait 0.6\nsay hello?\nwait 0.2\nh\n")
    out = io.StringIO()
    from sim.phone import main

    assert main(["+15557770000", "--sim-url", emu.base_url], stdin=stdin, stdout=out) == 0
    text = out.getvalue()
    assert "Calling the emulator from +15557770000" in text
    assert "] Say (en-US, Polly.Joanna): Thank you for calling Example Support" in text
    assert "Billing it is, you pressed 1" in text
    assert "Connected to client:agent_42" in text
    assert text.rstrip().endswith("Hangup: completed")
    assert text.splitlines()[1].startswith("[00:00.0]")


SCENARIO = {
    "name": "greeting",
    "clock": "virtual",
    "steps": [
        {"softphone": {"identity": "agent_42", "answer_after": 2}},
        {"dial_in": {"from": "+15551230000"}},
        {"expect_heard": "Thank you for calling"},
        {"wait_until": {"party": "caller", "state": "awaiting_input"}},
        {"press": "1"},
        {"wait_until": {"party": "caller", "state": "bridged", "within": 10}},
        {"say": "I have a question"},
        {"expect_heard": {"party": "agent_42", "text": "I have a question"}},
        {"hangup": "caller"},
        {"expect_status": {"party": "caller", "status": "completed"}},
    ],
}


def test_scenario_passes_and_logs_every_event(http_app, tmp_path):
    base, app = http_app(ROUTES)
    out = io.StringIO()
    log = tmp_path / "events.jsonl"
    assert run_scenario(SCENARIO, app_url=base, log_path=str(log), out=out) == 0, out.getvalue()
    assert "PASSED" in out.getvalue()
    events = [json.loads(line) for line in log.read_text().splitlines()]
    webhook = next(e for e in events if e["type"] == "webhook")
    assert webhook["url"] == f"{base}/ivr/incoming" and webhook["status"] == 200
    assert webhook["params"]["From"] == "+15551230000"
    assert "<Say voice='Polly.Joanna'>Thank you" in webhook["response"]
    heard = [e for e in events if e["type"] == "heard" and e["party"] == "+15551230000"]
    assert heard[0]["text"] == "Thank you for calling Example Support"
    assert all({"t", "at", "type", "seq"} <= set(e) for e in events)
    assert [e["seq"] for e in events] == list(range(len(events)))
    assert any(e["type"] == "expectation" and e["ok"] for e in events)


def test_scenario_fails_on_an_unmet_expectation(http_app):
    base, _ = http_app(ROUTES)
    spec = {"clock": "virtual", "steps": [{"dial_in": {"from": "+15551230000"}},
                                          {"expect_heard": {"text": "Welcome", "within": 5}}]}
    out = io.StringIO()
    assert run_scenario(spec, app_url=base, out=out) == 1
    assert "did not hear 'Welcome'" in out.getvalue()
    assert "Thank you for calling" in out.getvalue()  # the transcript is shown


def test_scenario_fails_on_an_application_error(http_app):
    base, _ = http_app({"/ivr/incoming": lambda hit: Response("down", status=500)})
    spec = {"clock": "virtual", "paths": {"fallback": None},
            "steps": [{"dial_in": {"from": "+15551230000"}}, {"wait": 10}]}
    out = io.StringIO()
    assert run_scenario(spec, app_url=base, out=out) == 1
    assert "application error" in out.getvalue()


def test_shipped_greeting_scenario_from_the_command_line(http_app, tmp_path):
    base, _ = http_app({"/ivr/incoming": respond("<Say>Thank you for calling</Say>",
                                                 "<Hangup/>")})
    log = tmp_path / "greeting.jsonl"
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "sim", "run", str(ROOT / "sim/scenarios/greeting.yaml"),
         "--app-url", base, "--clock", "virtual", "--log", str(log)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ok: +15551230000 heard 'Thank you for calling'" in proc.stdout
    assert log.read_text().count('"type": "webhook"') >= 1


def test_a_softphone_that_goes_offline_forgets_its_auto_answer(served):
    emu, _ = served
    sim = emu.base_url
    requests.post(f"{sim}/_sim/softphones", json={"identity": "bob", "answer_after": 1})
    assert emu.parties["client:bob"].answer_after == 1
    requests.delete(f"{sim}/_sim/softphones/bob").raise_for_status()
    # The next browser to register as bob answers only when its agent clicks.
    r = requests.post(f"{sim}/_sim/softphones", json={"identity": "bob"})
    assert r.status_code == 201 and r.json()["online"] is True
    assert emu.parties["client:bob"].answer_after is None


def test_closing_a_softphones_tab_ends_its_answered_calls(served):
    """`close-tab`: the browser holding the softphone goes away, as a closed console tab
    does on Twilio: offline, and the call it had answered ends from its side."""
    emu, _ = served
    sim = emu.base_url
    requests.post(f"{sim}/_sim/softphones", json={"identity": "agent_42"}).raise_for_status()
    sid = requests.post(f"{sim}/_sim/calls", json={"from": "+15551230007"}).json()["call_sid"]
    poll_heard(sim, "+15551230007", "Press one for billing")
    requests.post(f"{sim}/_sim/calls/{sid}/press", json={"digits": "1"})
    poll_heard(sim, "client:agent_42", "incoming call from +15551230007")
    requests.post(f"{sim}/_sim/softphones/agent_42/answer", json={}).raise_for_status()
    poll_heard(sim, "+15551230007", "Connected to client:agent_42")

    r = requests.post(f"{sim}/_sim/softphones/agent_42/close-tab", json={})
    assert r.status_code == 200 and r.json()["online"] is False
    assert emu.parties["client:agent_42"].online is False
    poll_heard(sim, "client:agent_42", "Hangup")
    assert requests.post(f"{sim}/_sim/softphones/nobody/close-tab", json={}).status_code == 404
