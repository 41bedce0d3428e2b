"""`python -m sim serve | phone | run`."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "phone":
        from sim.phone import main as phone

        return phone(argv[1:])
    if argv and argv[0] == "run":
        from sim.scenario import main as run

        return run(argv[1:])
    from sim.serve import add_arguments, serve

    p = argparse.ArgumentParser(prog="python -m sim",
                                description="The offline Twilio Voice emulator.")
    sub = p.add_subparsers(dest="command", required=True)
    add_arguments(sub.add_parser("serve", help="run the emulator next to a running app"))
    sub.add_parser("phone", help="a terminal phone (python -m sim phone --help)")
    sub.add_parser("run", help="run a scenario (python -m sim run --help)")
    return serve(p.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
