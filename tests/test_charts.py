"""The server-side charts' geometry: bars in proportion, gaps in time kept, labels outside nodes."""

import pytest

from public.charts import MAX_NODES, Neighbour, nice_ceiling, relationship_diagram, shorten, timeline_chart
from public.company_selectors import PeriodCount

KINDS = [("funding_round", "Funding round"), ("partnership", "Partnership")]


@pytest.mark.parametrize(("value", "ceiling"), [(0, 1), (1, 1), (3, 5), (7, 10), (10, 10), (11, 20), (230, 500)])
def test_axis_tops_are_round_numbers(value, ceiling):
    assert nice_ceiling(value) == ceiling


def test_timeline_has_every_quarter_between_the_first_and_last_year():
    chart = timeline_chart([PeriodCount(2019, 2, "funding_round", 1), PeriodCount(2021, 4, "partnership", 3)], KINDS)
    assert [label.text for label in chart.year_labels] == ["2019", "2020", "2021"]
    assert [bar.title for bar in chart.bars] == ["2019 Q2 — Funding round: 1 deal", "2021 Q4 — Partnership: 3 deals"]
    assert len(chart.year_separators) == 2
    assert chart.summary == "4 deals with a date, from 2019 to 2021; the busiest period is 2021 Q4 with 3."


def test_bars_stack_by_kind_and_scale_to_the_axis():
    chart = timeline_chart([PeriodCount(2021, 1, "funding_round", 2), PeriodCount(2021, 1, "partnership", 3)], KINDS)
    assert [label.text for label in chart.gridlines] == ["0", "5"]  # 5 has no whole half
    funding, partnership = chart.bars
    assert funding.height == pytest.approx(partnership.height * 2 / 3)
    assert funding.y + funding.height == chart.plot_bottom  # the first kind sits on the axis
    assert partnership.y + partnership.height == pytest.approx(funding.y)  # the next sits on it
    assert funding.x == partnership.x


def test_deals_known_only_to_the_year_get_their_own_marked_slot():
    chart = timeline_chart([PeriodCount(2021, None, "partnership", 1), PeriodCount(2021, 1, "partnership", 1)], KINDS)
    year_only = [bar for bar in chart.bars if bar.year_only]
    assert [bar.title for bar in year_only] == ["2021, quarter not known — Partnership: 1 deal"]
    assert year_only[0].x > max(bar.x for bar in chart.bars if not bar.year_only)  # after Q4
    assert [row.label for row in chart.rows] == ["2021 Q1", "2021, quarter not known"]


def test_a_kind_the_chart_does_not_know_is_still_drawn():
    chart = timeline_chart([PeriodCount(2021, 1, "new_kind", 1)], KINDS)
    assert chart.bars[0].kind == "new_kind" and chart.legend == [("new_kind", "new_kind", 1)]


def test_no_dated_deals_no_chart():
    assert timeline_chart([], KINDS) is None


def test_relationship_diagram_puts_the_company_in_the_middle_and_neighbours_around_it():
    neighbours = [Neighbour(f"Company {i}", "automaker", [f"Deal {i}"] * (1 + i % 5)) for i in range(15)]
    diagram = relationship_diagram("Xiaomi", "tech", neighbours)
    assert (diagram.center.x, diagram.center.y) == (diagram.width / 2, diagram.height / 2)
    assert len(diagram.nodes) == MAX_NODES and diagram.not_drawn == 3
    for node in diagram.nodes:
        assert 0 < node.x < diagram.width and 0 < node.y < diagram.height
        # the label sits beyond the node, away from the centre
        assert abs(node.label_x - diagram.center.x) >= abs(node.x - diagram.center.x) - 0.001
    assert [edge.weight for edge in diagram.edges[:5]] == [1, 2, 3, 4, 4]  # capped at 4
    assert diagram.edges[4].title == "Xiaomi and Company 4: 5 deals (Deal 4; Deal 4; Deal 4; Deal 4; Deal 4)"


def test_long_names_are_shortened_on_the_diagram_but_kept_in_full_in_its_title():
    diagram = relationship_diagram(
        "Xiaomi", "tech", [Neighbour("Shanghai Zhangjiang Hi-Tech Park", "government", ["D"])]
    )
    node = diagram.nodes[0]
    assert node.label == "Shanghai Zhangjiang H…" and node.name == "Shanghai Zhangjiang Hi-Tech Park"
    assert shorten("Short") == "Short"
    assert relationship_diagram("Xiaomi", "tech", []) is None
