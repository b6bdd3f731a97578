"""A small HTTP load generator for the page benchmark (bench/page_bench.py), used where wrk is absent.

N connections, each a coroutine on one asyncio loop, send one request after another for D seconds
and record each response's status and latency (connect, when the server closed the last
connection, included: gunicorn's sync workers close after every response, as wrk sees too). At
the deadline no new request starts; the ones in flight finish, so a slow page's queued requests
are counted and its rate is completions over the time they took. Plain HTTP/1.1 on 127.0.0.1 only:
Content-Length, chunked or read-to-close bodies, HEAD and 304 without one.
"""

import asyncio
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field

HEAD_LIMIT = 1 << 20  # the longest status line plus headers we accept
REQUEST_TIMEOUT = 60.0  # seconds; a response slower than this counts as an error


@dataclass(frozen=True)
class Request:
    path: str
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()

    def encode(self, *, host: str, port: int) -> bytes:
        lines = [f"{self.method} {self.path} HTTP/1.1", f"Host: {host}:{port}", "User-Agent: evtracker-page-bench"]
        lines += [f"{name}: {value}" for name, value in self.headers]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body_bytes: int
    keep_alive: bool


@dataclass
class Window:
    """What one load window measured."""

    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)  # seconds, one per completed response
    statuses: Counter = field(default_factory=Counter)
    errors: int = 0  # connections refused or reset, timeouts, malformed responses
    body_bytes: int = 0

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0


class ProtocolError(Exception):
    pass


def _parse_head(head: bytes) -> tuple[str, int, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise ProtocolError(f"bad status line {lines[0]!r}")
    headers = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    return parts[0], int(parts[1]), headers


async def _read_chunked(reader: asyncio.StreamReader) -> int:
    total = 0
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0].strip(), 16)
        if size == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":  # trailers, then the blank line
                pass
            return total
        total += len(await reader.readexactly(size + 2)) - 2


async def read_response(reader: asyncio.StreamReader, *, method: str) -> Response:
    version, status, headers = _parse_head((await reader.readuntil(b"\r\n\r\n"))[:-4])
    keep_alive = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
    if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
        size = 0
    elif "chunked" in headers.get("transfer-encoding", "").lower():
        size = await _read_chunked(reader)
    elif "content-length" in headers:
        size = len(await reader.readexactly(int(headers["content-length"])))
    else:  # the body runs to the end of the connection
        size, keep_alive = len(await reader.read()), False
    return Response(status=status, headers=headers, body_bytes=size, keep_alive=keep_alive)


class _Connection:
    """One client connection, reopened whenever the server closed the last one."""

    def __init__(self, *, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def send(self, raw: bytes, *, method: str) -> Response:
        reused = self.writer is not None
        try:
            return await self._send(raw, method=method)
        except (ConnectionError, asyncio.IncompleteReadError):
            if not reused:
                raise
        # A kept-alive connection the server had closed meanwhile: once more, on a fresh one.
        self.close()
        return await self._send(raw, method=method)

    async def _send(self, raw: bytes, *, method: str) -> Response:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port, limit=HEAD_LIMIT)
        self.writer.write(raw)
        await self.writer.drain()
        response = await read_response(self.reader, method=method)
        if not response.keep_alive:
            self.close()
        return response

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def _client(*, connection: _Connection, raw: bytes, method: str, deadline: float, window: Window) -> None:
    while True:  # at least one request, so a zero-length window is a burst of one per connection
        started = time.perf_counter()
        try:
            response = await asyncio.wait_for(connection.send(raw, method=method), REQUEST_TIMEOUT)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ProtocolError,
                ValueError):  # fmt: skip
            window.errors += 1
            connection.close()
        else:
            window.latencies.append(time.perf_counter() - started)
            window.statuses[response.status] += 1
            window.body_bytes += response.body_bytes
        if time.perf_counter() >= deadline:
            return


async def _load(*, host: str, port: int, request: Request, connections: int, duration: float) -> Window:
    raw, window = request.encode(host=host, port=port), Window()
    pool = [_Connection(host=host, port=port) for _ in range(connections)]
    started = time.perf_counter()
    deadline = started + duration
    try:
        await asyncio.gather(
            *(_client(connection=c, raw=raw, method=request.method, deadline=deadline, window=window) for c in pool)
        )
    finally:
        for connection in pool:
            connection.close()
    window.seconds = time.perf_counter() - started
    return window


def run_window(*, host: str, port: int, request: Request, connections: int, duration: float) -> Window:
    """Load one URL from `connections` connections for `duration` seconds (each sends at least one request)."""
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError(f"{host}: the load generator only talks to this machine")
    return asyncio.run(_load(host=host, port=port, request=request, connections=connections, duration=duration))


def fetch_once(*, host: str, port: int, request: Request) -> Response:
    """One request on a fresh connection: a page's status and headers (its ETag, say)."""

    async def once() -> Response:
        connection = _Connection(host=host, port=port)
        try:
            return await asyncio.wait_for(connection.send(request.encode(host=host, port=port),
                                                          method=request.method), REQUEST_TIMEOUT)  # fmt: skip
        finally:
            connection.close()

    return asyncio.run(once())


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` of `values` fall, interpolated between the nearest two."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def window_ratio(*, page: float, before: float, after: float) -> float:
    """A page window's rate over the mean rate of the trivial windows just before and after it,
    so a machine that slows down or speeds up during the run moves both sides of the ratio."""
    floor = (before + after) / 2
    return page / floor if floor > 0 else float("nan")


def median_ratio(samples: list[tuple[float, float, float]]) -> float:
    """The median over rounds of (page, trivial before, trivial after) rates: one noisy round
    (another process busy on the machine) moves it little."""
    return statistics.median(window_ratio(page=p, before=b, after=a) for p, b, a in samples)
