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
    args = parser.parse_args(argv)
    run_dir = args.data_dir / "run"
    database = run_dir / "callcentre.sqlite3"
    if not database.exists():
        parser.error(f"{database} is missing: run python -m bench.incoming first")

    from app.embedded_redis import EmbeddedRedis

    redis = EmbeddedRedis(run_dir / "redis-profile", appendonly=False).start()
    try:
        os.environ.update(DATABASE_URL=f"sqlite:///{database}", REDIS_URL=redis.url,
                          PUBLIC_BASE_URL=PUBLIC_BASE_URL, TWILIO_AUTH_TOKEN=AUTH_TOKEN,
                          LOG_LEVEL="WARNING")
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
        profiler = None
        if not args.no_profile:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
            profiler.start()
        started = time.perf_counter()
        for body, signature in timed:
            response = client.post(path_, data=body, headers=_headers(signature))
            assert response.status_code == 200, response.status_code
        elapsed = time.perf_counter() - started
        if profiler is not None:
            profiler.stop()
            print(profiler.output_text(unicode=True, color=False, show_all=False))
            if args.html:
                args.html.write_text(profiler.output_html())
        print(f"{len(timed)} requests in {elapsed:.2f} s: "
              f"{elapsed / max(1, len(timed)) * 1e3:.2f} ms each, sequential, in-process")
    finally:
        redis.stop()


def _headers(signature: str) -> dict[str, str]:
    return {"X-Twilio-Signature": signature,
            "Content-Type": "application/x-www-form-urlencoded"}


if __name__ == "__main__":
    main()
