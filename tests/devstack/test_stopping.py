"""`make run` stops everything it started, however it is told to (issue 18)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys

import psutil
import pytest

from scripts.dev_processes import port_owners
from tests.devstack.conftest import ROOT, RUN_DEV, STOP_SECONDS, DevRun, wait_all_gone


def _started(run: DevRun, dev_runs: list[DevRun], terminal: bool = False) -> int:
    dev_runs.append(run)
    run.start(terminal=terminal).wait_started()
    return int(run.state.read()["pgid"])


def _assert_all_stopped(run: DevRun, pgid: int) -> None:
    assert run.process is not None
    took, left = wait_all_gone(pgid, run.process)
    assert not left, (f"still running {took:.1f} s later: "
                      f"{[m.describe() for m in left]}\n{run.text()}")
    assert run.state.read() is None  # nothing recorded: the next run starts cleanly
    for port in run.ports.values():
        assert port_owners(port) is None, f"port {port} still taken"


@pytest.mark.parametrize("how", ["terminal closed", "ctrl-c"])
def test_the_terminal_going_away_or_ctrl_c_stops_every_process(tmp_path, database, dev_runs,
                                                                how):
    run = DevRun(tmp_path, database)
    pgid = _started(run, dev_runs, terminal=True)
    assert pgid != run.process.pid  # the children are not in the terminal's process group

    if how == "terminal closed":
        run.hang_up()  # the kernel sends SIGHUP to the terminal's foreground group
    else:
        run.type(b"\x03")  # the terminal sends SIGINT to its foreground group

    _assert_all_stopped(run, pgid)


def test_sigterm_stops_every_process(tmp_path, database, dev_runs):
    run = DevRun(tmp_path, database)
    pgid = _started(run, dev_runs)
    # Private by default: the web server listens on loopback only.
    web = [c for c in psutil.net_connections(kind="tcp")
           if c.status == psutil.CONN_LISTEN and c.laddr.port == run.ports["PORT"]]
    assert web and {c.laddr.ip for c in web} == {"127.0.0.1"}
    run.process.send_signal(signal.SIGTERM)
    _assert_all_stopped(run, pgid)
    assert "Stopping (SIGTERM)" in run.text()


def test_a_second_run_names_what_is_in_the_way_and_make_stop_stops_it(tmp_path, database,
                                                                        dev_runs):
    first = DevRun(tmp_path / "first", database)
    pgid = _started(first, dev_runs)
    members = {m.pid for m in first.wait_started()}

    # The same checkout again, on the same ports, while the first still runs.
    second = DevRun(tmp_path / "first", database, ports=first.ports)
    refused = subprocess.run([sys.executable, str(RUN_DEV)], cwd=ROOT, env=second.env(),
                             capture_output=True, text=True, timeout=30)
    assert refused.returncode == 1
    assert "is still running" in refused.stderr
    assert "make stop" in refused.stderr
    assert any(f"pid {pid}" in refused.stderr for pid in members)

    # The runner killed outright: its processes stay, and the next run says so.
    first.process.send_signal(signal.SIGKILL)
    first.process.wait(timeout=5)
    again = subprocess.run([sys.executable, str(RUN_DEV)], cwd=ROOT, env=second.env(),
                           capture_output=True, text=True, timeout=30)
    assert again.returncode == 1
    assert "was killed without stopping them" in again.stderr
    assert "make stop" in again.stderr

    stopped = subprocess.run(["make", "--no-print-directory", "stop"], cwd=ROOT,
                             env=second.env(), capture_output=True, text=True,
                             timeout=STOP_SECONDS + 5)
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    assert "Stopped." in stopped.stdout
    _assert_all_stopped(first, pgid)

    nothing = subprocess.run(["make", "--no-print-directory", "stop"], cwd=ROOT,
                             env=second.env(), capture_output=True, text=True, timeout=30)
    assert "No `make run` of this checkout is running." in nothing.stdout


def test_a_port_taken_by_another_program_is_named(tmp_path, database):
    run = DevRun(tmp_path, database)
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", run.ports["EMULATOR_PORT"]))
        holder.listen()
        refused = subprocess.run([sys.executable, str(RUN_DEV)], cwd=ROOT, env=run.env(),
                                 capture_output=True, text=True, timeout=30)
    assert refused.returncode == 1
    assert f"port {run.ports['EMULATOR_PORT']} (emulator) is in use by pid {os.getpid()}" \
        in refused.stderr
    assert run.state.read() is None  # nothing was started


def test_make_stop_stops_a_run_whose_terminal_is_elsewhere(tmp_path, database, dev_runs):
    run = DevRun(tmp_path, database)
    pgid = _started(run, dev_runs, terminal=True)
    stopped = subprocess.run(["make", "--no-print-directory", "stop"], cwd=ROOT, env=run.env(),
                             capture_output=True, text=True, timeout=STOP_SECONDS + 5)
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    assert "Stopped." in stopped.stdout
    _assert_all_stopped(run, pgid)
    assert run.process.returncode == 0  # its own runner stopped them, as on Ctrl-C
