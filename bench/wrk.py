"""One load window with wrk (Debian's `wrk` package), read back into the page benchmark's summary."""

import math
import re
import subprocess
from collections import Counter

from bench.http_load import Request
from bench.page_report import Measured

UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def _seconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text).groups()
    return float(number) * UNITS[unit]


def parse_wrk(output: str, *, expect: int = 200) -> Measured:
    """Requests/sec, the 50 % and 99 % latencies of `--latency`, and the responses wrk counts as
    bad (non-2xx/3xx) or failed (socket errors). wrk does not tell a 304 from a 200: the benchmark
    checks each page's status once before loading it."""
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if rate is None:
        raise ValueError(f"no Requests/sec in wrk's output:\n{output}")
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", output, re.MULTILINE))
    requests = re.search(r"(\d+) requests in", output)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    failed = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    statuses = Counter()
    if requests:
        statuses[expect] = int(requests.group(1)) - (int(bad.group(1)) if bad else 0)
    if bad:
        statuses["non-2xx/3xx"] = int(bad.group(1))
    return Measured(
        rate=float(rate.group(1)),
        p50=_seconds(latency["50"]) if "50" in latency else math.nan,
        p99=_seconds(latency["99"]) if "99" in latency else math.nan,
        statuses=statuses,
        errors=sum(int(n) for n in failed.groups()) if failed else 0,
    )


def wrk_window(
    *, wrk: str, host: str, port: int, request: Request, connections: int, duration: float, expect: int = 200
) -> Measured:
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError(f"{host}: the benchmark only loads this machine")
    command = [wrk, "--threads", str(min(2, connections)), "--connections", str(connections),
               "--duration", f"{max(1, round(duration))}s", "--latency", "--timeout", "60s"]  # fmt: skip
    for name, value in request.headers:
        command += ["--header", f"{name}: {value}"]
    command.append(f"http://{host}:{port}{request.path}")
    done = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603 (wrk, our arguments)
    return parse_wrk(done.stdout, expect=expect)
