"""Charts drawn on the server: plain geometry that a template writes out as SVG.

No JavaScript and no chart library: a chart is a few rectangles, lines and labels computed here.
Every mark carries a <title>, and each page prints the same numbers as text beside the picture,
so the chart is never the only way to read them.
"""

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

from django.utils.safestring import SafeString, mark_safe

# -- timeline of deals by quarter and kind --

SLOT = 14  # width of one quarter's bar
GAP = 4  # space between bars
YEAR_GAP = 10  # extra space between years
PLOT_HEIGHT = 150
LEFT, RIGHT, TOP, BOTTOM = 34, 8, 12, 34


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    kind: str
    title: str
    year_only: bool = False


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class PeriodRow:
    """One period's numbers, for the table printed beside the chart."""

    label: str
    year: int
    total: int
    by_kind: list[tuple[str, int]]


@dataclass
class TimelineChart:
    width: float
    height: float
    plot_bottom: float
    plot_left: float = LEFT
    bars: list[Bar] = field(default_factory=list)
    gridlines: list[Label] = field(default_factory=list)
    year_labels: list[Label] = field(default_factory=list)
    year_separators: list[float] = field(default_factory=list)
    legend: list[tuple[str, str, int]] = field(default_factory=list)
    rows: list[PeriodRow] = field(default_factory=list)
    summary: str = ""

    @property
    def bar_marks(self) -> SafeString:
        """The bars as SVG, in one pass: a chart of many years holds hundreds of them, each with
        five numbers that a template loop would format one filter at a time."""
        return mark_safe(  # noqa: S308 (kind and title escaped, the rest numbers)
            "".join(
                f'<rect class="bar kind-{escape(bar.kind)}{" year-only" if bar.year_only else ""}" '
                f'x="{bar.x:.1f}" y="{bar.y:.1f}" width="{bar.width:.1f}" height="{bar.height:.1f}">'
                f"<title>{escape(bar.title)}</title></rect>\n  "
                for bar in self.bars
            )
        )


def period_label(year: int, quarter: int | None) -> str:
    return f"{year} Q{quarter}" if quarter else f"{year}, quarter not known"


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50… that is at least `value`: round numbers on the axis."""
    if value <= 1:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    return next(step * magnitude for step in (1, 2, 5, 10) if step * magnitude >= value)


def _periods(counts: Sequence) -> list[tuple[int, int | None]]:
    """Every quarter from the first year to the last, so gaps in time show as gaps; a year with
    deals known only to the year gets one more slot after its fourth quarter."""
    years = [row.year for row in counts]
    year_only = {row.year for row in counts if row.quarter is None}
    periods: list[tuple[int, int | None]] = []
    for year in range(min(years), max(years) + 1):
        periods += [(year, quarter) for quarter in (1, 2, 3, 4)]
        if year in year_only:
            periods.append((year, None))
    return periods


def deals_text(count: int) -> str:
    return f"{count} deal" + ("" if count == 1 else "s")


def timeline_chart(counts: Sequence, kinds: Sequence[tuple[str, str]]) -> TimelineChart | None:
    """Stacked bars of deals per quarter, one colour per kind; None when no deal has a date.

    `counts` holds rows with `year`, `quarter` (None: known only to the year), `kind`, `count`;
    `kinds` is the (code, label) list in the order the stacks are built.
    """
    if not counts:
        return None
    cells: dict[tuple[int, int | None], dict[str, int]] = defaultdict(dict)
    for row in counts:
        cells[(row.year, row.quarter)][row.kind] = row.count
    periods = _periods(counts)
    labels = dict(kinds)
    order = [code for code, _ in kinds] + sorted({row.kind for row in counts} - set(labels))
    top = nice_ceiling(max(sum(cell.values()) for cell in cells.values()))
    years = periods[-1][0] - periods[0][0] + 1
    width = LEFT + RIGHT + len(periods) * (SLOT + GAP) + (years - 1) * YEAR_GAP
    chart = TimelineChart(width=width, height=TOP + PLOT_HEIGHT + BOTTOM, plot_bottom=TOP + PLOT_HEIGHT)
    steps = (0, top // 2, top) if top % 2 == 0 else (0, top)  # whole numbers of deals only
    chart.gridlines = [Label(LEFT - 6, TOP + PLOT_HEIGHT * (1 - step / top), str(step)) for step in steps]
    x = LEFT + GAP / 2
    for index, (year, quarter) in enumerate(periods):
        if index and periods[index - 1][0] != year:
            x += YEAR_GAP
            chart.year_separators.append(x - (YEAR_GAP + GAP) / 2)
        if quarter == 1:
            chart.year_labels.append(Label(x + 2 * (SLOT + GAP) - GAP / 2, chart.plot_bottom + 18, str(year)))
        _stack(chart, x, cells.get((year, quarter), {}), order, labels, top, (year, quarter))
        x += SLOT + GAP
    _tabulate(chart, periods, cells, order, labels)
    return chart


def _stack(chart: TimelineChart, x: float, cell: dict[str, int], order, labels, top: int, period: tuple) -> None:
    y = chart.plot_bottom
    year_only = period[1] is None
    for kind in order:
        count = cell.get(kind, 0)
        if not count:
            continue
        height = PLOT_HEIGHT * count / top
        y -= height
        title = f"{period_label(*period)} — {labels.get(kind, kind)}: {deals_text(count)}"
        chart.bars.append(Bar(x, y, SLOT, height, kind, title, year_only))


def _tabulate(chart: TimelineChart, periods, cells, order, labels) -> None:
    totals: dict[str, int] = defaultdict(int)
    for period in periods:
        cell = cells.get(period, {})
        by_kind = [(labels.get(kind, kind), cell[kind]) for kind in order if cell.get(kind)]
        for kind, count in cell.items():
            totals[kind] += count
        if by_kind:
            chart.rows.append(PeriodRow(period_label(*period), period[0], sum(cell.values()), by_kind))
    chart.legend = [(kind, labels.get(kind, kind), totals[kind]) for kind in order if totals[kind]]
    busiest = max(chart.rows, key=lambda row: row.total)
    dated = sum(row.total for row in chart.rows)
    chart.summary = (
        f"{deals_text(dated)} with a date, from {periods[0][0]} to {periods[-1][0]}; "
        f"the busiest period is {busiest.label} with {busiest.total}."
    )


# -- relationship diagram: one company and the companies it shares deals with --

DIAGRAM_WIDTH, DIAGRAM_HEIGHT = 640, 360
RADIUS_X, RADIUS_Y = 190, 125
MAX_NODES = 12
LABEL_LENGTH = 22
EDGE_TITLES = 5  # deal titles named in an edge's tooltip


@dataclass(frozen=True)
class Node:
    x: float
    y: float
    label: str
    name: str
    kind: str
    label_x: float
    label_y: float
    anchor: str


@dataclass(frozen=True)
class Edge:
    x1: float
    y1: float
    x2: float
    y2: float
    weight: int
    title: str


@dataclass
class Diagram:
    width: int
    height: int
    center: Node
    nodes: list[Node]
    edges: list[Edge]
    not_drawn: int


@dataclass(frozen=True)
class Neighbour:
    """What the diagram needs to know about a connected company."""

    name: str
    kind: str
    deal_titles: list[str]  # of some or all shared deals
    shared: int | None = None  # how many deals in all; None: one per title

    @property
    def deal_count(self) -> int:
        return len(self.deal_titles) if self.shared is None else self.shared


def shorten(text: str, length: int = LABEL_LENGTH) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _label_position(x: float, y: float, angle: float) -> tuple[float, float, str]:
    """Put a label outside its node, away from the centre, so it never crosses an edge."""
    dx, dy = math.cos(angle), math.sin(angle)
    anchor = "start" if dx > 0.3 else "end" if dx < -0.3 else "middle"
    offset_y = 22 * dy if anchor == "middle" else 5
    return x + 12 * dx, y + offset_y, anchor


def _edge_title(name: str, neighbour: Neighbour) -> str:
    titles, count = neighbour.deal_titles[:EDGE_TITLES], neighbour.deal_count
    if not titles:
        return f"{name} and {neighbour.name}: {deals_text(count)}"
    listed = "; ".join(titles)
    if count > len(titles):
        listed += f"; and {count - len(titles)} more"
    return f"{name} and {neighbour.name}: {deals_text(count)} ({listed})"


def relationship_diagram(name: str, kind: str, neighbours: Sequence[Neighbour]) -> Diagram | None:
    """The company in the middle, up to MAX_NODES neighbours around it (the most deals first);
    an edge's width grows with the number of deals the two share. None without neighbours."""
    if not neighbours:
        return None
    cx, cy = DIAGRAM_WIDTH / 2, DIAGRAM_HEIGHT / 2
    center = Node(cx, cy, shorten(name), name, kind, cx, cy + 32, "middle")
    drawn = list(neighbours[:MAX_NODES])
    nodes, edges = [], []
    for index, neighbour in enumerate(drawn):
        angle = -math.pi / 2 + 2 * math.pi * index / len(drawn)
        x, y = cx + RADIUS_X * math.cos(angle), cy + RADIUS_Y * math.sin(angle)
        label_x, label_y, anchor = _label_position(x, y, angle)
        nodes.append(Node(x, y, shorten(neighbour.name), neighbour.name, neighbour.kind, label_x, label_y, anchor))
        edges.append(Edge(cx, cy, x, y, min(neighbour.deal_count, 4), _edge_title(name, neighbour)))
    return Diagram(DIAGRAM_WIDTH, DIAGRAM_HEIGHT, center, nodes, edges, len(neighbours) - len(drawn))
