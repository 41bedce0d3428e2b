"""Where one incoming-call request spends its time: the webhook in-process, under a profiler.

    .venv/bin/python -m bench.incoming.profile [--requests 2000] [--html out.html]

Runs after `python -m bench.incoming` has built its files (it reuses var/bench/run's database
copy and signed requests). Sequential, one thread: it shows the work per request, not the
contention under load (for that, attach `py-spy record --pid <gunicorn worker>` while the
benchmark runs). Needs pyinstrument in the venv (pip install pyinstrument; not a project
dependency).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from bench.incoming import calls, dataset
from bench.incoming.run import AUTH_TOKEN, PUBLIC_BASE_URL, ROOT


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.incoming.profile",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--data-dir", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--html", type=Path, help="write pyinstrument's HTML report here")
    parser.add_argument("--no-profile", action="store_true", help="only time the requests")
    parser.add_argument("--bare", action="store_true",
                        help="the baseline (bench/incoming/bare_app.py) through the same test "
                             "client, for the in-process ratio of CPU per request")
    parser.add_argument("--cpu", action="store_true",
                        help="cProfile on process CPU time instead of pyinstrument's wall "
                             "time (waits for Redis, SQLite or a busy core do not count)")
    args = parser.parse_args(argv)
    run_dir = args.data_dir / "run"
    database = run_dir / "callcentre.sqlite3"
    if not database.exists():
        parser.error(f"{database} is missing: run python -m bench.incoming first")

    from app.embedded_redis import EmbeddedRedis

    redis = EmbeddedRedis(run_dir / "redis-profile", appendonly=False).start()
    try:
        # Production's settings are the default without APP_ENV; this is a checkout's run.
        os.environ.setdefault("APP_ENV", "development")
        os.environ.update(DATABASE_URL=f"sqlite:///{database}", REDIS_URL=redis.url,
                          PUBLIC_BASE_URL=PUBLIC_BASE_URL, TWILIO_AUTH_TOKEN=AUTH_TOKEN,
                          LOG_LEVEL="WARNING")
        if args.bare:
            from bench.incoming.bare_app import create_app
        else:
            from app import create_app

        client = create_app().test_client()
        # Fresh CallSids (the measured run used its files' already: replaying them would
        # profile the retry path, where the call's row exists).
        requests_file = run_dir / "profile.tsv"
        known = dataset.known_numbers(database)
        calls.write_requests(requests_file, count=args.requests, public_base_url=PUBLIC_BASE_URL,
                             auth_token=AUTH_TOKEN, known=known,
                             unknown=dataset.unknown_numbers(200, set(known)),
                             unknown_share=0.1, seed=time.time_ns())
        pairs = calls.read_requests(requests_file)
        path_ = calls.PATH
        for body, signature in pairs[:50]:  # warm caches and imports, unprofiled
            client.post(path_, data=body, headers=_headers(signature))
        timed = pairs[50:]
        profiler = cpu_profiler = None
        if args.cpu and not args.no_profile:
            import cProfile

            cpu_profiler = cProfile.Profile(time.process_time)
            cpu_profiler.enable()
        elif not args.no_profile:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
            profiler.start()
        started, cpu_started = time.perf_counter(), time.process_time()
        for body, signature in timed:
            response = client.post(path_, data=body, headers=_headers(signature))
            assert response.status_code == 200, response.status_code
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        if cpu_profiler is not None:
            cpu_profiler.disable()
            _print_cpu_profile(cpu_profiler, len(timed))
        if profiler is not None:
            profiler.stop()
            print(profiler.output_text(unicode=True, color=False, show_all=False))
            if args.html:
                args.html.write_text(profiler.output_html())
        # CPU time is what the shared machine cannot inflate much; wall time waits for a core.
        print(f"{len(timed)} requests in {elapsed:.2f} s: "
              f"{elapsed / max(1, len(timed)) * 1e3:.2f} ms each, "
              f"{cpu / max(1, len(timed)) * 1e3:.2f} ms of CPU each (this process, redis "
              f"not included), sequential, in-process")
    finally:
        redis.stop()


def _print_cpu_profile(profiler: object, requests: int, limit: int = 150) -> None:
    import pstats

    stats = pstats.Stats(profiler)
    print(f"CPU ms per request, cumulative, by function ({requests} requests; cProfile's own "
          "overhead included, ~2x on small calls):")
    rows = sorted(stats.stats.items(), key=lambda item: item[1][3], reverse=True)  # type: ignore[attr-defined]
    for (filename, line, name), (_cc, _nc, _tt, cumulative, _callers) in rows[:limit]:
        where = filename.split("site-packages/")[-1].replace(str(ROOT) + "/", "")
        print(f"{cumulative / requests * 1e3:8.3f}  {name}  {where}:{line}")


def _headers(signature: str) -> dict[str, str]:
    return {"X-Twilio-Signature": signature,
            "Content-Type": "application/x-www-form-urlencoded"}


if __name__ == "__main__":
    main()
