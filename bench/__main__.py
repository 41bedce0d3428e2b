"""The benchmarks: `make bench` (= python -m bench) runs them all, in this order.

    .venv/bin/python -m bench                 run every benchmark with its defaults
    .venv/bin/python -m bench --list          name and describe them
    .venv/bin/python -m bench NAME [ARGS...]  run one, passing ARGS on (NAME --help for its own)

Benchmarks are not tests: pytest never collects this folder (its testpaths is tests/).
"""

from __future__ import annotations

import importlib
import sys

# name -> module with a main(argv) and a docstring whose first line describes it.
BENCHMARKS = {
    "incoming": "bench.incoming.run",
    "queue_ops": "bench.queue_ops",
    "hold_clock": "bench.hold_clock",
    "pages": "bench.pages",
}


def describe() -> str:
    lines = ["available benchmarks (python -m bench NAME --help for options):"]
    for name, module in BENCHMARKS.items():
        doc = (importlib.import_module(module).__doc__ or "").strip().splitlines()
        lines.append(f"  {name:<10} {doc[0] if doc else ''}")
    return "\n".join(lines)


def run(name: str, argv: list[str]) -> int:
    print(f"== bench {name}", flush=True)
    try:
        code = importlib.import_module(BENCHMARKS[name]).main(argv)
    except SystemExit as done:  # a benchmark reports a missed target by its exit status
        return done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    return code if isinstance(code, int) else 0


def main(argv: list[str]) -> int:
    if argv and argv[0] in ("--list", "-l", "--help", "-h"):
        print(__doc__.strip() if argv[0] in ("--help", "-h") else describe())
        return 0
    if argv:
        if argv[0] not in BENCHMARKS:
            print(f"unknown benchmark {argv[0]!r}\n{describe()}", file=sys.stderr)
            return 2
        return run(argv[0], argv[1:])
    print(describe(), flush=True)
    failures = [name for name in BENCHMARKS if run(name, []) != 0]
    if failures:
        print(f"targets missed: {', '.join(failures)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
