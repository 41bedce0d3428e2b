"""Browser pages: server time and full load in chromium, from the local server (target < 200 ms).

Starts the app as `make run` does (tests/browser/harness.py: gunicorn, Redis, clock, worker,
emulator, a seeded SQLite), signs in, then:

- server: `--requests` GETs of each page and of the JSON the console reads at start, with a
  signed-in session, timed from request to last byte (p50, p95, max);
- browser: `--loads` full loads of each page in Debian's chromium (Navigation Timing:
  DOMContentLoaded and load, scripts and styles included), if chromium is there.

Exit status 1 when a p95 misses the target.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import requests

from tests.browser.harness import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PASSWORD,
    Person,
    Stack,
    chromium_missing,
    sign_in_page,
)

TARGET_MS = 200.0
PAGES = ("/signin", "/console")
JSON = ("/api/agents/me", "/console/directory", "/api/callbacks", "/api/wrapup/options")
ASSETS = ("/static/web/css/app.css", "/static/web/js/console.js",
          "/static/web/vendor/alpine.min.js")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def signed_in_session(stack: Stack, identity: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{stack.url}/signin").text
    token = page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    response = session.post(f"{stack.url}/signin", allow_redirects=False,
                            data={"identity": identity, "password": PASSWORD,
                                  "csrf_token": token})
    response.raise_for_status()
    return session


def time_server(stack: Stack, count: int) -> dict[str, list[float]]:
    session = signed_in_session(stack, "alice")
    anonymous = requests.Session()
    results: dict[str, list[float]] = {}
    for path in PAGES + JSON + ASSETS:
        client = anonymous if path == "/signin" else session
        client.get(stack.url + path).raise_for_status()  # warm up
        timings = []
        for _ in range(count):
            started = time.perf_counter()
            response = client.get(stack.url + path)
            _ = response.content
            timings.append((time.perf_counter() - started) * 1000)
            response.raise_for_status()
        results[path] = timings
    return results


def time_browser(stack: Stack, loads: int) -> dict[str, dict[str, list[float]]]:
    from playwright.sync_api import sync_playwright

    results: dict[str, dict[str, list[float]]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        page = context.new_page()
        sign_in_page(page, stack.url, "alice")
        for path in ("/console", "/signin?next=/console"):
            loaded, ready = [], []
            for _ in range(loads):
                page.goto(stack.url + path, wait_until="load")
                timing = page.evaluate(
                    "() => { const n = performance.getEntriesByType('navigation')[0];"
                    " return [n.domContentLoadedEventEnd, n.loadEventEnd]; }")
                ready.append(timing[0])
                loaded.append(timing[1])
            results[path] = {"DOMContentLoaded": ready, "load": loaded}
        browser.close()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50, help="GETs per URL")
    parser.add_argument("--loads", type=int, default=10, help="browser loads per page")
    args = parser.parse_args(argv)
    people = (Person("alice", "Alice Martin"), Person("bob", "Bob Okafor"))
    missed = []
    with Stack(Path(tempfile.mkdtemp(prefix="bench-pages-")), people) as stack:
        print(f"server: {args.requests} GETs each, signed in, ms from request to last byte")
        print(f"  {'url':<32} {'p50':>7} {'p95':>7} {'max':>7}")
        for path, timings in time_server(stack, args.requests).items():
            p95 = percentile(timings, 0.95)
            print(f"  {path:<32} {statistics.median(timings):7.1f} {p95:7.1f} "
                  f"{max(timings):7.1f}")
            if p95 > TARGET_MS:
                missed.append(path)
        reason = chromium_missing()
        if reason:
            print(f"browser: skipped ({reason})")
        else:
            print(f"browser: {args.loads} full loads each in chromium, ms (Navigation Timing)")
            for path, marks in time_browser(stack, args.loads).items():
                for mark, values in marks.items():
                    p95 = percentile(values, 0.95)
                    print(f"  {path:<24} {mark:<17} p50 {statistics.median(values):6.1f}  "
                          f"p95 {p95:6.1f}")
                    if mark == "load" and p95 > TARGET_MS:
                        missed.append(f"{path} ({mark})")
    if missed:
        print(f"target {TARGET_MS:.0f} ms missed by: {', '.join(missed)}")
        return 1
    print(f"every page under {TARGET_MS:.0f} ms (p95)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
