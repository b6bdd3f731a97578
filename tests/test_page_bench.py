"""The page benchmark's own parts (bench/page_bench.py): the load generator against a tiny local
server, the percentile and ratio arithmetic, the table, the targets and wrk's output. The benchmark
itself starts gunicorn over two databases and runs for minutes: it is run by hand, not here."""

import math
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench import page_bench
from bench.http_load import Request, fetch_once, median_ratio, percentile, run_window, window_ratio
from bench.page_report import (
    Measured,
    PageResult,
    check_targets,
    compare_seeds,
    format_table,
    trivial_result,
)
from bench.wrk import parse_wrk

BODY = b"x" * 1000


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive unless a response says otherwise

    def do_GET(self) -> None:
        if self.path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for part in (BODY[:300], BODY[300:]):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
        elif self.path == "/close":  # no length: the body ends with the connection
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(BODY)
            self.close_connection = True
        elif self.path == "/etag" and self.headers.get("If-None-Match") == '"v1"':
            self.send_response(304)
            self.send_header("ETag", '"v1"')
            self.end_headers()
        else:
            self.send_response(404 if self.path == "/missing" else 200)
            self.send_header("Content-Length", str(len(BODY)))
            self.send_header("ETag", '"v1"')
            self.end_headers()
            self.wfile.write(BODY)

    def log_message(self, *args) -> None:  # quiet
        pass


@pytest.fixture(scope="module")
def server_port() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("path", ["/fixed", "/chunked", "/close"])
def test_the_load_generator_reads_every_kind_of_body(server_port, path):
    window = run_window(host="127.0.0.1", port=server_port, request=Request(path), connections=3, duration=0.2)
    assert window.requests >= 3 and window.errors == 0
    assert window.statuses == Counter({200: window.requests})
    assert window.body_bytes == window.requests * len(BODY)
    assert window.rate == pytest.approx(window.requests / window.seconds)
    assert window.seconds >= 0.2 and all(latency > 0 for latency in window.latencies)


def test_a_zero_length_window_is_one_request_per_connection(server_port):
    window = run_window(host="127.0.0.1", port=server_port, request=Request("/fixed"), connections=5, duration=0)
    assert window.requests == 5


def test_statuses_are_counted_and_a_conditional_get_gets_its_304(server_port):
    missing = run_window(host="127.0.0.1", port=server_port, request=Request("/missing"), connections=1, duration=0)
    assert missing.statuses == Counter({404: 1})
    first = fetch_once(host="127.0.0.1", port=server_port, request=Request("/etag"))
    assert first.status == 200 and first.headers["etag"] == '"v1"' and first.body_bytes == len(BODY)
    again = Request("/etag", headers=(("If-None-Match", first.headers["etag"]),))
    window = run_window(host="127.0.0.1", port=server_port, request=again, connections=2, duration=0.1)
    assert window.statuses == Counter({304: window.requests}) and window.body_bytes == 0


def test_a_refused_connection_is_an_error_not_a_response():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens here once the probe is closed
    window = run_window(host="127.0.0.1", port=port, request=Request("/"), connections=2, duration=0.05)
    assert window.errors >= 2 and window.requests == 0 and window.rate == 0


def test_the_load_generator_talks_to_this_machine_only():
    with pytest.raises(ValueError, match="only talks to this machine"):
        run_window(host="192.0.2.1", port=80, request=Request("/"), connections=1, duration=0)


def test_a_request_carries_its_host_and_headers():
    raw = Request("/a?b=1", headers=(("If-None-Match", '"x"'),)).encode(host="127.0.0.1", port=8123)
    assert raw.startswith(b"GET /a?b=1 HTTP/1.1\r\nHost: 127.0.0.1:8123\r\n")
    assert b'\r\nIf-None-Match: "x"\r\n' in raw and raw.endswith(b"\r\n\r\n")


def test_percentiles_interpolate_between_the_nearest_values():
    values = [float(n) for n in range(100, 0, -1)]  # 1..100, unordered
    assert percentile(values, 0.5) == pytest.approx(50.5)
    assert percentile(values, 0.99) == pytest.approx(99.01)
    assert percentile(values, 0) == 1 and percentile(values, 1) == 100
    assert percentile([7.0], 0.99) == 7.0
    assert math.isnan(percentile([], 0.5))


def test_a_ratio_is_against_the_mean_of_the_trivial_windows_around_it_and_the_median_over_rounds():
    assert window_ratio(page=30, before=100, after=200) == pytest.approx(0.2)
    assert math.isnan(window_ratio(page=30, before=0, after=0))
    # One round disturbed (the page window ran while the machine was busy) does not move the median.
    assert median_ratio([(10, 100, 100), (50, 100, 100), (11, 110, 110)]) == pytest.approx(0.1)


def measured(rate: float, *, status: int = 200, errors: int = 0) -> Measured:
    return Measured(rate=rate, p50=1 / rate, p99=2 / rate, statuses=Counter({status: 10}), errors=errors)


def row(label: str, kind: str, rates: list[float], *, trivial: float = 1000, expect: int = 200, status: int = 200):
    result = PageResult(label, kind, expect)
    result.windows = [(measured(r, status=status), measured(trivial), measured(trivial)) for r in rates]
    return result


def test_a_page_result_takes_medians_and_counts_what_it_did_not_expect():
    page = row("`/`", "home", [40, 50, 400])
    assert page.rate == 50 and page.ratio == pytest.approx(0.05)
    assert page.p50 == pytest.approx(1 / 50) and page.p99 == pytest.approx(2 / 50)
    assert page.unexpected == 0
    conditional = row("304", "conditional", [900], expect=304, status=200)
    assert conditional.unexpected == 10
    failing = PageResult("x", "list", windows=[(measured(5, errors=3), measured(100), measured(100))])
    assert failing.unexpected == 3


def test_the_trivial_row_counts_each_trivial_window_once():
    shared = measured(1000)
    first = PageResult("a", "list", windows=[(measured(10), measured(900), shared)])
    second = PageResult("b", "list", windows=[(measured(20), shared, measured(1100))])
    trivial = trivial_result([first, second], label="`/robots.txt` (trivial)")
    assert len(trivial.windows) == 3 and trivial.rate == 1000 and trivial.ratio == 1.0


def test_the_table_puts_both_sizes_side_by_side():
    results = {
        "seeds": {"`/`": row("`/`", "home", [50]), "304": row("304", "conditional", [900], expect=304, status=200)},
        "large": {"`/`": row("`/`", "home", [5])},
    }
    results["seeds"]["304"].note = "no ETag: answers 200"
    results["large"]["broken"] = PageResult("broken", "list", note="answered 500")
    table = format_table(results, mode="cold")
    lines = table.splitlines()
    assert lines[0] == "#### cold (page caching off)"
    assert lines[2].startswith("| page | seeds req/s | p50 ms | p99 ms | × trivial | large req/s |")
    assert "| `/` | 50.0 | 20.0 | 40.0 | 0.050 | 5.0 | 200 | 400 | 0.005 |" in lines
    assert "| 304 | 900 | 1.1 | 2.2 | 0.900 (10 not 304) | — | — | — | — |" in lines
    assert "| broken | — | — | — | — | answered 500 | — | — | — |" in lines
    assert lines[-1] == "- no ETag: answers 200"


def test_the_targets_apply_to_the_large_dataset_by_mode_and_kind():
    results = {
        "cold": {
            "seeds": {"`/`": row("`/`", "home", [1])},  # seeds rows have no target
            "large": {
                "`/`": row("`/`", "home", [30]),  # 0.03: meets the home page's 0.03
                "`/deals/`": row("`/deals/`", "list", [40]),  # 0.04: under a list's 0.05
                "feed": row("feed", "feed", [1]),  # no cold target for feeds
                "csv": row("csv", "download", [10]),
            },
        },
        "warm": {"large": {"304": row("304", "conditional", [800], expect=304, status=200)}},
    }
    checks = {check.description: check for check in check_targets(results)}
    assert set(checks) == {"cold `/`", "cold `/deals/`", "cold csv", "warm 304, 10 responses not 304"}
    assert checks["cold `/`"].passed and checks["cold csv"].passed
    assert not checks["cold `/deals/`"].passed
    assert not checks["warm 304, 10 responses not 304"].passed  # fast, but answered 200
    assert checks["cold `/deals/`"].line() == "- FAIL: cold `/deals/`: 0.040× trivial (target ≥ 0.05×)"


def test_the_seeds_rows_are_compared_with_a_baseline_run():
    results = {"cold": {"seeds": {"`/`": row("`/`", "home", [30]), "`/deals/`": row("`/deals/`", "list", [50])}}}
    baseline = {"cold": {"seeds": {"`/`": {"ratio": 0.032}, "`/deals/`": {"ratio": 0.050}}}}
    checks = {check.description.split(" (")[0]: check.passed for check in compare_seeds(results, baseline)}
    assert checks == {"cold seeds `/`": True, "cold seeds `/deals/`": True}  # 0.030 is within 10 % of 0.032
    baseline["cold"]["seeds"]["`/`"]["ratio"] = 0.04
    assert not next(c for c in compare_seeds(results, baseline) if "`/`" in c.description).passed


WRK_OUTPUT = """Running 1s test @ http://127.0.0.1:8000/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     5.05ms    1.22ms  13.97ms   76.19%
    Req/Sec     1.59k   108.03     1.77k    70.00%
  Latency Distribution
     50%  812.00us
     75%    5.52ms
     90%    6.35ms
     99%    1.20s
  3164 requests in 1.00s, 1.01MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 12
Requests/sec:   3155.32
Transfer/sec:      1.01MB
"""


def test_wrk_output_is_read_back():
    result = parse_wrk(WRK_OUTPUT, expect=304)
    assert result.rate == pytest.approx(3155.32)
    assert result.p50 == pytest.approx(0.000812) and result.p99 == pytest.approx(1.2)
    assert result.statuses == Counter({304: 3152, "non-2xx/3xx": 12}) and result.errors == 3


def test_the_benchmark_finds_the_protocol_source_and_ignores_the_callers_settings(monkeypatch, tmp_path):
    assert page_bench.protocol_slug(page_bench.ROOT) == "protocol-every-chinese-tech-company-wants-to-make-evs"
    monkeypatch.setenv("DJANGO_DEBUG", "1")
    monkeypatch.setenv("DATABASE_URL", "postgres://elsewhere/db")
    monkeypatch.setenv("DJANGO_CACHE", "database")
    warm = page_bench.environment(database=tmp_path / "db.sqlite3", work=tmp_path, secret="s", cache=tmp_path / "c")
    assert warm["DJANGO_DEBUG"] == "0" and warm["DJANGO_ENV_FILE"] == "" and warm["DJANGO_ALLOWED_HOSTS"] == "127.0.0.1"
    assert warm["DATABASE_URL"] == f"sqlite:///{tmp_path / 'db.sqlite3'}" and warm["DJANGO_SECURE_SSL_REDIRECT"] == "0"
    assert "DJANGO_CACHE" not in warm
    assert warm["DJANGO_PAGE_CACHE"] == "1" and warm["DJANGO_DOWNLOAD_CACHE_DIR"] == str(tmp_path / "c" / "downloads")
    cold = page_bench.environment(database=tmp_path / "db.sqlite3", work=tmp_path, secret="s")
    assert cold["DJANGO_PAGE_CACHE"] == "0" and cold["DJANGO_DOWNLOAD_CACHE_DIR"] == ""
