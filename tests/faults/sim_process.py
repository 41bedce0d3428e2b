"""`python -m tests.faults.sim_process serve ...`: `python -m sim serve`, speaking faster.

The fault tests run on real time; at Twilio's pace a greeting and a menu take ten seconds.
The emulator is the same process and code, with shorter sounds (`--words-per-minute`,
`--play-seconds`), so a caller reaches the queue in a couple of seconds.
"""

from __future__ import annotations

import argparse
import sys

from sim import serve as sim_serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.faults.sim_process")
    parser.add_argument("command", choices=["serve"])
    sim_serve.add_arguments(parser)
    parser.add_argument("--words-per-minute", type=float, default=150.0)
    parser.add_argument("--play-seconds", type=float, default=5.0)
    args = parser.parse_args(argv)
    build = sim_serve.build

    def faster(a: argparse.Namespace):
        emu = build(a)
        emu.words_per_minute = args.words_per_minute
        emu.default_play_seconds = args.play_seconds
        return emu

    sim_serve.build = faster
    return sim_serve.serve(args)


if __name__ == "__main__":
    sys.exit(main())
