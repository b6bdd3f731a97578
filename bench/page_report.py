"""The page benchmark's arithmetic and output: per-page summaries, the markdown table, the issue's
targets and the comparison with an earlier run (bench/page_bench.py measures; this only counts)."""

import math
import statistics
from collections import Counter
from dataclasses import dataclass, field

from bench.http_load import median_ratio

SIZES = ("seeds", "large")
MODES = ("cold", "warm")
MODE_TITLES = {"cold": "cold (page caching off)", "warm": "warm (page caching on, warmed up)"}
TRIVIAL = "trivial"  # the kind of the row every ratio is taken against

# Issue #12's targets, on the 2,000 companies / 20,000 deals dataset: (mode, kind) → least × trivial.
# Warm, every public page, download, feed and sitemap; a 304 a little more. Cold, lists and detail
# pages, the home page and the deals download each their own; feeds and sitemaps have none cold.
WARM_KINDS = ("home", "list", "detail", "download", "feed", "sitemap")
TARGETS = {("warm", kind): 0.5 for kind in WARM_KINDS} | {
    ("warm", "conditional"): 0.7,
    ("cold", "list"): 0.05,
    ("cold", "detail"): 0.05,
    ("cold", "home"): 0.03,
    ("cold", "download"): 0.01,
}
# Against a baseline run, a ratio under 90 % of the baseline's counts as slower. On a busy 2-core
# machine with short windows one run's ratios move by 10-30 % (the same tree against itself at
# --duration 0.3 --rounds 1): compare runs made with the defaults or longer, and rerun a failing row.
SLOWER = 0.9


@dataclass(frozen=True)
class Measured:
    """One load window, summarised."""

    rate: float  # responses per second
    p50: float  # seconds
    p99: float
    statuses: Counter = field(default_factory=Counter)
    errors: int = 0


@dataclass
class PageResult:
    """One page at one size in one mode: its windows and the trivial windows around each."""

    label: str
    kind: str
    expect: int = 200
    note: str = ""
    windows: list[tuple[Measured, Measured, Measured]] = field(default_factory=list)  # page, before, after

    @property
    def rate(self) -> float:
        return statistics.median(w[0].rate for w in self.windows) if self.windows else math.nan

    @property
    def p50(self) -> float:
        return statistics.median(w[0].p50 for w in self.windows) if self.windows else math.nan

    @property
    def p99(self) -> float:
        return statistics.median(w[0].p99 for w in self.windows) if self.windows else math.nan

    @property
    def ratio(self) -> float:
        if self.kind == TRIVIAL:
            return 1.0
        if not self.windows:
            return math.nan
        return median_ratio([(page.rate, before.rate, after.rate) for page, before, after in self.windows])

    @property
    def unexpected(self) -> int:
        """Responses that were not the status this row measures (a 200 where a 304 was asked for,
        a 500), and failed requests."""
        total = Counter()
        for page, _, _ in self.windows:
            total += page.statuses
            total["error"] += page.errors
        return sum(count for status, count in total.items() if status != self.expect)


def trivial_result(pages: list[PageResult], *, label: str) -> PageResult:
    """The trivial view's row: every trivial window of the run (each counted once)."""
    seen, row = set(), PageResult(label=label, kind=TRIVIAL)
    for page in pages:
        for _, before, after in page.windows:
            for window in (before, after):
                if id(window) not in seen:
                    seen.add(id(window))
                    row.windows.append((window, window, window))
    return row


def _rate(value: float) -> str:
    if math.isnan(value):
        return "—"
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}"


def _ms(value: float) -> str:
    if math.isnan(value):
        return "—"
    milliseconds = value * 1000
    return f"{milliseconds:.0f}" if milliseconds >= 100 else f"{milliseconds:.1f}"


def _ratio(row: PageResult) -> str:
    ratio = row.ratio
    if math.isnan(ratio):
        return "—"
    text = f"{ratio:.3f}"
    if row.unexpected:
        text += f" ({row.unexpected} not {row.expect})"
    return text


def _cells(row: PageResult | None) -> list[str]:
    if row is None:
        return ["—"] * 4
    if row.note and not row.windows:
        return [row.note, "—", "—", "—"]
    return [_rate(row.rate), _ms(row.p50), _ms(row.p99), _ratio(row)]


def format_table(results: dict[str, dict[str, PageResult]], *, mode: str) -> str:
    """One markdown table for one mode: a row per page, the seeds and large columns side by side.

    `results` maps size → page label → result; labels keep the order they first appear in.
    """
    labels = list(dict.fromkeys(label for size in SIZES for label in results.get(size, {})))
    lines = [
        f"#### {MODE_TITLES.get(mode, mode)}",
        "",
        "| page | seeds req/s | p50 ms | p99 ms | × trivial | large req/s | p50 ms | p99 ms | × trivial |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label in labels:
        cells = [cell for size in SIZES for cell in _cells(results.get(size, {}).get(label))]
        lines.append("| " + " | ".join([label, *cells]) + " |")
    notes = sorted({row.note for size in results.values() for row in size.values() if row.note and row.windows})
    lines += [""] + [f"- {note}" for note in notes] if notes else []
    return "\n".join(lines)


@dataclass(frozen=True)
class Check:
    description: str
    value: float
    target: float
    passed: bool

    def line(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        shown = "—" if math.isnan(self.value) else f"{self.value:.3f}"
        return f"- {verdict}: {self.description}: {shown}× trivial (target ≥ {self.target}×)"


def check_targets(results: dict[str, dict[str, dict[str, PageResult]]]) -> list[Check]:
    """The issue's targets against the large dataset's rows (`results`: mode → size → label → row).

    A row that answered anything but its expected status (a 304 that came back 200) fails."""
    checks = []
    for mode, sizes in results.items():
        for row in sizes.get("large", {}).values():
            target = TARGETS.get((mode, row.kind))
            if target is None:
                continue
            ratio = row.ratio
            passed = not math.isnan(ratio) and ratio >= target and not row.unexpected
            suffix = f", {row.unexpected} responses not {row.expect}" if row.unexpected else ""
            checks.append(Check(f"{mode} {row.label}{suffix}", ratio, target, passed))
    return checks


def as_json(results: dict[str, dict[str, dict[str, PageResult]]]) -> dict:
    """What a later run compares itself with: each row's rate, latencies and ratio."""
    return {
        mode: {
            size: {
                label: {"kind": row.kind, "rate": row.rate, "p50": row.p50, "p99": row.p99, "ratio": row.ratio}
                for label, row in rows.items()
                if row.windows
            }
            for size, rows in sizes.items()
        }
        for mode, sizes in results.items()
    }


def compare_seeds(results: dict[str, dict[str, dict[str, PageResult]]], baseline: dict) -> list[Check]:
    """'Nothing gets slower on the seed data': each seeds row's ratio against the baseline run's
    (the same page, mode and size), slower when under SLOWER × the baseline's."""
    checks = []
    for mode, sizes in results.items():
        before = baseline.get(mode, {}).get("seeds", {})
        for label, row in sizes.get("seeds", {}).items():
            if row.kind == TRIVIAL or label not in before or not row.windows:
                continue
            was = before[label]["ratio"]
            checks.append(Check(f"{mode} seeds {label} (baseline {was:.3f}×)", row.ratio, round(was * SLOWER, 3),
                                row.ratio >= was * SLOWER))  # fmt: skip
    return checks
