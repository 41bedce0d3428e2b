"""Load generators: wrk (preferred) or a multi-process asyncio client, closed loop, bounded.

Both keep `connections` keep-alive connections busy for `duration` seconds, each sending the
next pre-signed request as soon as the previous answer arrived, and report the same figures.
The load generator's own CPU time is measured, so a report shows what it took from the two
cores the server shares with it.
"""

from __future__ import annotations

import asyncio
import json
import resource
import shutil
import subprocess
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.incoming.calls import read_requests

LUA_SCRIPT = Path(__file__).with_name("post_requests.lua")


@dataclass
class LoadResult:
    requests: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    error_detail: dict[str, int]
    wraps: int
    loadgen_cpu_s: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict:
        return {**asdict(self), "rps": round(self.rps, 1)}


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_wrk(url: str, requests_file: Path, *, connections: int, duration: int,
            threads: int = 1, timeout_s: int = 5) -> LoadResult:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s",
               f"--timeout={timeout_s}s", "-s", str(LUA_SCRIPT), url, "--",
               str(requests_file), str(threads)]
    cpu_before = _children_cpu()
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 120,
                          check=False)
    cpu = _children_cpu() - cpu_before
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    raw = json.loads(line.removeprefix("BENCH_JSON "))
    detail = {k: raw[k] for k in ("connect_errors", "read_errors", "write_errors",
                                  "status_errors", "timeouts")}
    return LoadResult(
        requests=raw["requests"], seconds=raw["duration_us"] / 1e6,
        p50_ms=raw["p50_us"] / 1e3, p90_ms=raw["p90_us"] / 1e3, p99_ms=raw["p99_us"] / 1e3,
        max_ms=raw["max_us"] / 1e3, errors=sum(detail.values()), error_detail=detail,
        wraps=raw["wraps"], loadgen_cpu_s=cpu)


# -- the Python fallback ---------------------------------------------------------------------

def _raw_request(host: str, port: int, path: str, body: str, signature: str) -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"X-Twilio-Signature: {signature}\r\nContent-Length: {len(body)}\r\n\r\n"
            f"{body}").encode()


async def _connection(host: str, port: int, reqs: list[bytes], first: int, step: int,
                      end: float, timeout_s: float, latencies: list[float],
                      errors: dict[str, int]) -> int:
    reader = writer = None
    i, wraps = first, 0
    while time.monotonic() < end:
        try:
            if writer is None:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(host, port), timeout_s)
            if i >= len(reqs):
                i, wraps = i % len(reqs), wraps + 1
            raw = reqs[i]
            i += step
            started = time.perf_counter()
            writer.write(raw)
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout_s)
            lines = head.decode("latin-1").split("\r\n")
            headers = {k.strip().lower(): v.strip() for k, _, v in
                       (h.partition(":") for h in lines[1:] if h)}
            await reader.readexactly(int(headers.get("content-length", "0")))
            latencies.append(time.perf_counter() - started)
            if not lines[0].split()[1].startswith("2"):
                errors["status_errors"] += 1
            if headers.get("connection", "").lower() == "close":
                writer.close()
                writer = None
        except TimeoutError:
            errors["timeouts"] += 1
            writer = None
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            errors["read_errors"] += 1
            writer = None
            await asyncio.sleep(0.01)  # a refused connection must not become a busy loop
    if writer is not None:
        writer.close()
    return wraps


def _python_worker(args: tuple) -> tuple[list[float], dict[str, int], int, float]:
    host, port, path, slice_, connections, duration, timeout_s = args
    reqs = [_raw_request(host, port, path, body, sig) for body, sig in slice_]
    latencies: list[float] = []
    errors = {"read_errors": 0, "status_errors": 0, "timeouts": 0}

    async def main() -> int:
        end = time.monotonic() + duration
        results = await asyncio.gather(*(
            _connection(host, port, reqs, c, connections, end, timeout_s, latencies, errors)
            for c in range(connections)))
        return sum(results)

    cpu_before = time.process_time()
    wraps = asyncio.run(main())
    return latencies, errors, wraps, time.process_time() - cpu_before


def run_python(host: str, port: int, path: str, requests_file: Path, *, connections: int,
               duration: int, processes: int = 2, timeout_s: float = 5.0) -> LoadResult:
    pairs = read_requests(requests_file)
    jobs = []
    for p in range(processes):
        share = connections // processes + (1 if p < connections % processes else 0)
        jobs.append((host, port, path, pairs[p::processes], share, duration, timeout_s))
    started = time.monotonic()
    with ProcessPoolExecutor(processes) as pool:
        outcomes = list(pool.map(_python_worker, jobs))
    seconds = time.monotonic() - started
    latencies = sorted(x for outcome in outcomes for x in outcome[0])
    errors = {"read_errors": 0, "status_errors": 0, "timeouts": 0}
    for outcome in outcomes:
        for key, value in outcome[1].items():
            errors[key] += value

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(len(latencies) * q))] * 1e3 \
            if latencies else 0.0

    return LoadResult(
        requests=len(latencies), seconds=min(seconds, float(duration)) or seconds,
        p50_ms=pct(0.50), p90_ms=pct(0.90), p99_ms=pct(0.99),
        max_ms=latencies[-1] * 1e3 if latencies else 0.0,
        errors=sum(errors.values()), error_detail=errors,
        wraps=sum(outcome[2] for outcome in outcomes),
        loadgen_cpu_s=sum(outcome[3] for outcome in outcomes))
