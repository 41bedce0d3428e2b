"""Incoming-call webhook vs a bare Flask endpoint, same gunicorn settings, same run.

    .venv/bin/python -m bench.incoming [--duration 20] [--warmup 5] [--connections 32]
        [--workers 2] [--threads 4] [--worker-class gthread] [--loadgen auto|wrk|python]
        [--customers 1000000] [--unknown-share 0.1] [--commit REV] [--rebuild] [--json PATH]

Steps: build (or reuse) a database of N customers under the real migrations; start a
redis-server; pre-sign the requests; then for each side (the bare endpoint, the floor, then
the app) start gunicorn, check a few answers, warm up, and measure for a fixed duration at a fixed
number of connections. Targets: the app keeps at least 70% of the bare endpoint's throughput
and its p99 latency stays under 25 ms. Exit status 0 when both are met, 1 when not.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from app.embedded_redis import EmbeddedRedis
from bench.incoming import calls, dataset, loadgen
from bench.incoming.servers import (
    Clock,
    Gunicorn,
    GunicornSettings,
    machine_busy_cpu,
    process_tree_cpu,
)

ROOT = Path(__file__).resolve().parents[2]
PUBLIC_BASE_URL = "https://callcentre.bench.example"
AUTH_TOKEN = "bench-auth-token"
TARGET_RATIO = 0.70
TARGET_P99_MS = 25.0
# The list of CallSids whose rows wait for the writer (app/interactions/pending.py, with the
# default REDIS_KEY_TAG).
STAGED_LIST = "{cc}:interactions:new"
SIDES = {
    "bare": "bench.incoming.bare_app:create_app()",
    # The least work any complete answer does (bench/incoming/floor_app.py): not a target, the
    # bound that shows what the stack and the machine allow.
    "floor": "bench.incoming.floor_app:create_app()",
    "app": "app:create_app()",
}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.incoming",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=20, help="measured seconds per side")
    parser.add_argument("--warmup", type=int, default=5, help="warm-up seconds per side")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--worker-class", default="gthread")
    parser.add_argument("--no-even-split", dest="even_split", action="store_false",
                        help="let gunicorn's workers race for the connections instead of "
                             "capping each at connections / workers (see bench/README.md)")
    parser.add_argument("--loadgen", choices=("auto", "wrk", "python"), default="auto",
                        help="auto: wrk if installed, else the Python client")
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--unknown-share", type=float, default=0.1,
                        help="share of calls from numbers not in the database")
    parser.add_argument("--max-rate", type=int, default=4000,
                        help="requests pre-signed per measured second (each CallSid once)")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "var" / "bench",
                        help="cached database, the run's files and the JSON results")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached database")
    parser.add_argument("--commit", help="measure the app as committed at REV (git archive) "
                        "instead of the working tree")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--rounds", type=int, default=3,
                        help="run the sides this many times, interleaved; each side's figures "
                             "are its median round's (this VM's speed drifts by minutes)")
    parser.add_argument("--sides", default="bare,floor,app",
                        help="which sides to run, in order")
    args = parser.parse_args(argv)
    args.sides = [s for s in args.sides.split(",") if s]
    if unknown := set(args.sides) - set(SIDES):
        parser.error(f"unknown sides: {sorted(unknown)}")
    if args.duration < 1 or args.connections < 1 or args.rounds < 1 \
            or not 0 <= args.unknown_share <= 1:
        parser.error("duration, connections and rounds must be positive, unknown-share in "
                     "[0, 1]")
    if args.loadgen == "auto":
        args.loadgen = "wrk" if loadgen.wrk_available() else "python"
    elif args.loadgen == "wrk" and not loadgen.wrk_available():
        parser.error("wrk is not installed (Debian: apt-get install wrk), or use --loadgen python")
    return args


def interaction_counts(database: Path) -> tuple[int, int]:
    """(interaction rows, rows with a customer linked), once requests in flight have landed."""
    previous = None
    for _ in range(50):  # bounded: at most ~10 s
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30) as conn:
            counts = conn.execute(
                "SELECT count(*), count(customer_id) FROM interactions").fetchone()
        if counts == previous:
            break
        previous = counts
        time.sleep(0.2)
    return counts


def source_tree(commit: str | None, data_dir: Path) -> tuple[Path, dict[str, str | bool]]:
    """The checkout whose app is measured: the working tree, or `commit` exported."""
    if commit is None:
        return ROOT, git_describe()
    rev = _git("rev-parse", "--short", commit)
    if not rev:
        raise SystemExit(f"unknown commit {commit!r}")
    src = data_dir / "src"
    shutil.rmtree(src, ignore_errors=True)
    src.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "app", "config",
                              "migrations"], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(src)], input=archive.stdout, check=True)
    return src, {"commit": rev, "app_code_uncommitted": False}


def wait_for_writer(redis_url: str, timeout: float = 120.0) -> float:
    """Wait until the clock's writer has written every staged row (the webhook writes the
    call's row behind its answer); returns how long that took after the window."""
    import redis as redis_py

    client = redis_py.Redis.from_url(redis_url)
    started = time.monotonic()
    while client.llen(STAGED_LIST) and time.monotonic() - started < timeout:
        time.sleep(0.1)
    return time.monotonic() - started


def load(args: argparse.Namespace, server: Gunicorn, requests_file: Path,
         seconds: int) -> loadgen.LoadResult:
    if args.loadgen == "wrk":
        return loadgen.run_wrk(server.base_url + calls.PATH, requests_file,
                               connections=args.connections, duration=seconds)
    return loadgen.run_python("127.0.0.1", server.port, calls.PATH, requests_file,
                              connections=args.connections, duration=seconds)


def smoke_check(side: str, server: Gunicorn, smoke: list[tuple[str, str]]) -> None:
    """Before timing anything: the answers are TwiML, and the app really checks signatures."""
    from app.telephony.fallback import APOLOGY

    for body, signature in smoke:
        status, text = server.post(calls.PATH, body, signature)
        if status != 200 or "<Response" not in text or APOLOGY in text:
            raise RuntimeError(f"{side}: unexpected answer {status}: {text[:300]}\n"
                               + server.log_tail())
    if side != "bare":
        status, _ = server.post(calls.PATH, smoke[0][0], "bm90LWEtc2lnbmF0dXJl")
        if status != 403:
            raise RuntimeError(f"{side}: a forged signature got {status}, not 403")


def run_side(side: str, args: argparse.Namespace, settings: GunicornSettings,
             env: dict[str, str], files: dict[str, Path], smoke: list[tuple[str, str]],
             run_dir: Path, database: Path, redis_pid: int, src: Path) -> dict:
    server = Gunicorn(SIDES[side], settings, cwd=src, env=env,
                      log_path=run_dir / f"gunicorn-{side}.log").start()
    clock = Clock(cwd=src, env=env, log_path=run_dir / "clock.log").start() \
        if side == "app" else None
    writer_lag = 0.0
    try:
        smoke_check(side, server, smoke)
        print(f"[bench] {side}: warm-up {args.warmup} s", flush=True)
        load(args, server, files["warmup"], args.warmup)
        if clock is not None:
            wait_for_writer(env["REDIS_URL"])
        rows_before, linked_before = interaction_counts(database)
        server_cpu, redis_cpu = server.cpu_seconds(), process_tree_cpu(redis_pid)
        clock_cpu = clock.cpu_seconds() if clock else 0.0
        busy = machine_busy_cpu()
        print(f"[bench] {side}: measuring {args.duration} s at {args.connections} connections",
              flush=True)
        result = load(args, server, files["measure"], args.duration)
        server_cpu = server.cpu_seconds() - server_cpu
        redis_cpu = process_tree_cpu(redis_pid) - redis_cpu
        clock_cpu = (clock.cpu_seconds() - clock_cpu) if clock else 0.0
        busy_after = machine_busy_cpu()
        busy, steal = busy_after[0] - busy[0], busy_after[1] - busy[1]
        if clock is not None:
            writer_lag = wait_for_writer(env["REDIS_URL"])
        rows_after, linked_after = interaction_counts(database)
    finally:
        server.stop()
        if clock is not None:
            clock.stop()
    outcome = result.as_dict()
    # Whatever else ran on the machine meanwhile (other people's test suites...): a noisy
    # neighbour takes cores from the server, so the report shows it.
    other = max(0.0, busy - server_cpu - redis_cpu - clock_cpu - result.loadgen_cpu_s)
    outcome.update(server_cpu_s=round(server_cpu, 2), redis_cpu_s=round(redis_cpu, 2),
                   writer_cpu_s=round(clock_cpu, 2), writer_lag_s=round(writer_lag, 2),
                   other_cpu_s=round(other, 2), steal_cpu_s=round(steal, 2),
                   rows_written=rows_after - rows_before,
                   customers_linked=linked_after - linked_before)
    if side == "app" and result.wraps:
        print(f"[bench] warning: the app side reused CallSids ({result.wraps} wraps); "
              "raise --max-rate", file=sys.stderr)
    return outcome


def _git(*cmd: str) -> str:
    done = subprocess.run(["git", "-C", str(ROOT), *cmd], capture_output=True, text=True,
                          check=False)
    return done.stdout.strip() if done.returncode == 0 else ""


def git_describe() -> dict[str, str | bool]:
    dirty = _git("status", "--porcelain", "--", "app", "config", "migrations")
    return {"commit": _git("rev-parse", "--short", "HEAD") or "unknown",
            "app_code_uncommitted": bool(dirty)}


def machine() -> dict[str, str | int]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cores": os.cpu_count() or 0, "cpu": model, "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version, "kernel": platform.release()}


def median_round(rounds: list[dict[str, dict]]) -> dict[str, dict]:
    """Each side's figures from its median round by throughput (a real round, not a blend)."""
    results = {}
    for side in rounds[0]:
        ordered = sorted((r[side] for r in rounds), key=lambda outcome: outcome["rps"])
        results[side] = ordered[(len(ordered) - 1) // 2]
    return results


def round_ratios(rounds: list[dict[str, dict]], side: str) -> list[float]:
    """`side`'s throughput over the bare endpoint's, round by round (measured minutes apart,
    not hours: the fair comparison on a machine whose speed drifts)."""
    return [r[side]["rps"] / r["bare"]["rps"] for r in rounds
            if side in r and "bare" in r and r["bare"]["rps"]]


def report(results: dict, meta: dict, rounds: list[dict[str, dict]]) -> bool:
    print()
    print(f"incoming-call webhook vs bare Flask, {meta['connections']} connections, "
          f"{meta['duration']} s each, {meta['gunicorn']}, load: {meta['loadgen']}")
    print(f"{meta['customers']:,} customers; commit {meta['git']['commit']}"
          + (" (app code uncommitted)" if meta["git"]["app_code_uncommitted"] else ""))
    header = (f"{'side':<6} {'req/s':>8} {'p50 ms':>7} {'p90 ms':>7} {'p99 ms':>7} "
              f"{'max ms':>7} {'errors':>6} {'srv cpu':>8} {'writer':>7} {'redis':>6} "
              f"{'gen cpu':>8} {'other':>7} {'rows':>7}")
    print(header)
    print("-" * len(header))
    for side, r in results.items():
        print(f"{side:<6} {r['rps']:>8.0f} {r['p50_ms']:>7.2f} {r['p90_ms']:>7.2f} "
              f"{r['p99_ms']:>7.2f} {r['max_ms']:>7.1f} {r['errors']:>6} "
              f"{r['server_cpu_s']:>7.1f}s {r.get('writer_cpu_s', 0):>6.1f}s "
              f"{r['redis_cpu_s']:>5.1f}s "
              f"{r['loadgen_cpu_s']:>7.1f}s {r['other_cpu_s']:>6.1f}s "
              f"{r['rows_written'] if side == 'app' else '-':>7}")
    cores = meta["machine"]["cores"]
    print(f"cpu: seconds used in the measured window, of {cores * meta['duration']} "
          f"({cores} cores x {meta['duration']} s): srv = gunicorn, writer = the clock "
          "process writing staged rows, gen = load generator, other = the rest of the machine")
    if "app" not in results or "bare" not in results:
        return True
    app = results["app"]
    ratios = round_ratios(rounds, "app")
    ratio = sorted(ratios)[(len(ratios) - 1) // 2] if ratios else 0.0
    if len(rounds) > 1:
        print("\nrounds (req/s): " + "; ".join(
            ", ".join(f"{side} {r[side]['rps']:.0f}" for side in r) for r in rounds))
        print("app/bare by round: " + ", ".join(f"{x:.2f}" for x in ratios)
              + (", floor/bare by round: " + ", ".join(
                  f"{x:.2f}" for x in round_ratios(rounds, "floor"))
                 if "floor" in rounds[0] else ""))
    ok_ratio, ok_p99 = ratio >= TARGET_RATIO, app["p99_ms"] < TARGET_P99_MS
    errors = sum(r["app"]["errors"] for r in rounds if "app" in r)
    ok_errors = errors == 0
    print(f"\nthroughput ratio app/bare (median round): {ratio:.2f} "
          f"(target >= {TARGET_RATIO:.2f}) "
          f"{'PASS' if ok_ratio else 'FAIL'}")
    print(f"app p99: {app['p99_ms']:.2f} ms (target < {TARGET_P99_MS:.0f} ms) "
          f"{'PASS' if ok_p99 else 'FAIL'}")
    print(f"app errors (all rounds): {errors} {'PASS' if ok_errors else 'FAIL'}")
    answered = app["requests"] - app["error_detail"].get("status_errors", 0)
    print(f"the writer finished {app.get('writer_lag_s', 0):.1f} s after the window")
    print(f"interaction rows written: {app['rows_written']:,} for {answered:,} answered "
          f"requests; callers linked to a customer: {app['customers_linked']:,} "
          f"(about {1 - meta['unknown_share']:.0%} of callers are customers)")
    if "floor" in results and results["floor"]["rps"]:
        floor = results["floor"]
        floor_ratios = sorted(round_ratios(rounds, "floor"))
        meta["floor_ratio"] = round(floor_ratios[(len(floor_ratios) - 1) // 2], 3)
        print(f"floor (the least work a complete answer does, bench/incoming/floor_app.py): "
              f"{floor['rps']:.0f} req/s, ratio floor/bare {meta['floor_ratio']:.2f} (median "
              f"round), p99 {floor['p99_ms']:.2f} ms")
    meta["ratio"] = round(ratio, 3)
    meta["pass"] = ok_ratio and ok_p99 and ok_errors
    return meta["pass"]


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    settings = GunicornSettings(
        args.workers, args.threads, args.worker_class,
        -(-args.connections // args.workers) if args.even_split else None)
    src, revision = source_tree(args.commit, args.data_dir)
    cached = dataset.cached_database(args.data_dir, src, args.customers, args.rebuild)
    run_dir = args.data_dir / "run"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    database = dataset.working_copy(cached, run_dir / "callcentre.sqlite3")

    known = dataset.known_numbers(database)
    unknown = dataset.unknown_numbers(2000, set(known))
    # Each round has its own requests: the app must never see a CallSid twice (a repeat is a
    # retried webhook, another path).
    files = {"smoke": run_dir / "smoke.tsv"}
    counts = {"smoke": 10}
    for round_ in range(args.rounds):
        files[f"warmup{round_}"] = run_dir / f"warmup{round_}.tsv"
        files[f"measure{round_}"] = run_dir / f"measure{round_}.tsv"
        counts[f"warmup{round_}"] = args.warmup * args.max_rate
        counts[f"measure{round_}"] = args.duration * args.max_rate
    started = time.monotonic()
    for seed, (name, path) in enumerate(files.items()):
        calls.write_requests(path, count=counts[name], public_base_url=PUBLIC_BASE_URL,
                             auth_token=AUTH_TOKEN, known=known, unknown=unknown,
                             unknown_share=args.unknown_share, seed=seed + 1)
    print(f"[bench] signed {sum(counts.values()):,} requests in "
          f"{time.monotonic() - started:.1f} s", flush=True)
    smoke = calls.read_requests(files["smoke"])

    redis = EmbeddedRedis(run_dir / "redis").start()
    env = {
        "APP_ENV": "production",
        "DATABASE_URL": f"sqlite:///{database}",
        "REDIS_URL": redis.url,
        "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_ACCOUNT_SID": calls.ACCOUNT_SID,
        # No REST call is expected from this webhook; if one happens it stays on loopback.
        "TWILIO_MODE": "emulator",
        "TWILIO_API_BASE_URL": "http://127.0.0.1:9",
        "SECRET_KEY": "bench-secret",
        "ADMIN_API_TOKEN": "bench-admin-token",
        # The app comes from `src` (gunicorn's --chdir goes first on sys.path); the bare
        # endpoint from this checkout's bench package.
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    rounds: list[dict[str, dict]] = []
    try:
        for round_ in range(args.rounds):
            if args.rounds > 1:
                print(f"[bench] round {round_ + 1} of {args.rounds}", flush=True)
            round_files = {**files, "warmup": files[f"warmup{round_}"],
                           "measure": files[f"measure{round_}"]}
            rounds.append({side: run_side(side, args, settings, env, round_files, smoke,
                                          run_dir, database, redis.process.pid, src)
                           for side in args.sides})
    finally:
        redis.stop()
    results = median_round(rounds)

    meta = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "git": revision, "machine": machine(), "gunicorn": settings.describe(),
        "loadgen": args.loadgen, "connections": args.connections, "duration": args.duration,
        "warmup": args.warmup, "customers": args.customers,
        "unknown_share": args.unknown_share, "database": "sqlite", "rounds": args.rounds,
    }
    passed = report(results, meta, rounds)
    document = json.dumps({"meta": meta, "results": results, "rounds": rounds}, indent=2)
    (args.data_dir / "incoming-latest.json").write_text(document)
    if args.json:
        args.json.write_text(document)
    sys.exit(0 if passed else 1)
