"""The insights page on the demo, with counters seeded as months of matches would leave them:
it passes axe, and every chart shows the numbers of the table beside it."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from playwright.sync_api import Page

from directory import create_app, freshness, insights
from directory.models import DemandCount, NeedKind

pytestmark = pytest.mark.browser

# Districts far from the demo's, so the journeys' own matches never move these numbers.
# Each month: (district, matches, with fewer than three options, of those ruled out by distance).
SEEDED = [("DH1", 30, 23, 14), ("DH2", 12, 4, 0), ("DH3", 1, 1, 0), ("DH4", 60, 9, 5)]


@pytest.fixture(scope="module")
def seeded(live_server) -> date:
    """Counters for three months in the served instance's database, and one search word
    used six times without results."""
    app = create_app({"INSTANCE_PATH": str(live_server.instance),
                      "DATABASE_URL": f"sqlite:///{live_server.instance / 'directory.db'}",
                      "SEARCH_INDEX_DIR": str(live_server.instance / "search")})
    this_month = freshness.today().replace(day=1)
    months = [freshness.add_months(this_month, -n) for n in range(3)]
    rows = []
    for month in months:
        for district, matches, few, far in SEEDED:
            common = dict.fromkeys(insights.COUNTERS, 0) | {
                "month": month, "district": district, "readiness": "ready",
                "matches": matches, "few_options": few, "too_far": far}
            rows += [common | {"kind": NeedKind.ALL, "code": ""},
                     common | {"kind": NeedKind.GOAL, "code": "meet-people"}]
    insights.add_counts(app, DemandCount.__table__, rows,
                        ("month", "district", "kind", "code", "readiness"))
    with app.app_context():
        for _ in range(6):
            insights.record_search(app, "aquarobics", 0, this_month)
        insights.flush(app)
    app.extensions["db"].engine.dispose()
    return this_month


def chart_values(page: Page, chart: str) -> dict[str, str]:
    """label -> the words the chart shows for it."""
    groups = page.locator(f"#{chart} g[data-label]")
    return {g.get_attribute("data-label"): g.locator("text.value").text_content().strip()
            for g in groups.all()}


def table_values(page: Page, table: str, *cells: str) -> dict[str, str]:
    """label -> the table's cells for it, written as the chart writes them."""
    found = {}
    for row in page.locator(f"#{table} tbody tr").all():
        texts = [row.locator(f"td.{c}").text_content().strip() for c in cells]
        found[row.get_attribute("data-label")] = texts[0] + "".join(f" ({t})" for t in texts[1:])
    return found


def test_the_insights_page_shows_the_same_numbers_in_its_charts_and_tables(
        page, check_page, sign_in, seeded, artefacts):
    sign_in(page, "admin")
    page.goto("/insights/")
    page.get_by_role("heading", name="What people asked for, and what was missing").wait_for()
    check_page(page, "insights")

    gaps = page.locator("#gaps li").all_text_contents()
    assert gaps[0] == ("Meet people / feel less lonely, DH1: 69 of 90 matches with fewer than 3 "
                       "options; 42 ruled out by distance")

    # The district tiles and their table: shares worked out only from five matches or more.
    tiles = chart_values(page, "districts-chart")
    assert tiles == table_values(page, "districts-table", "value")
    assert tiles["DH1"] == "77%" and tiles["DH3"] == "fewer than 5"
    table = page.locator("#districts-table tr[data-label=DH3] td").all_text_contents()
    assert table == ["fewer than 5"] * 3  # one match a month, for three months
    shade = {d: page.locator(f"#districts-chart g[data-label={d}] rect").get_attribute("fill")
             for d in ("DH1", "DH4")}
    assert shade["DH1"] != shade["DH4"]  # 77% and 15% fall in different bands

    for chart, table, cells in (("trend-chart", "trend-table", ("whole", "part")),
                                ("stale-chart", "stale-table", ("whole",)),
                                ("searches-chart", "searches-table", ("whole",))):
        shown = chart_values(page, chart)
        in_table = table_values(page, table, *cells)
        if chart == "stale-chart":  # the chart adds stale and expired together
            shown = {k: v.split(" (")[0] for k, v in shown.items()}
        assert shown and shown == in_table, chart
        # Bars are as long as their numbers say (one scale per chart).
        widths = {g.get_attribute("data-label"): float(g.locator("rect.whole").get_attribute("width"))
                  for g in page.locator(f"#{chart} g[data-label]").all()}
        numbers = {k: int(v.split(" ")[0]) for k, v in shown.items() if re.match(r"\d", v)}
        top = max(numbers.values())
        for label, n in numbers.items():
            assert abs(widths[label] - 360 * n / top) <= 1, (chart, label)
    assert chart_values(page, "searches-chart")["aquarobics"] == "6"
    trend = chart_values(page, "trend-chart")
    # This month: the seeded matches, and any the other journeys made.
    assert int(trend[seeded.strftime("%b %Y")].split(" ")[0]) >= sum(m for _, m, _, _ in SEEDED)

    # The export has the same figures as the table.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the districts (CSV)").click()
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    exported = {r[0]: r[1:3] for r in rows[1:]}
    assert exported["DH3"] == ["fewer than 5"] * 2 and exported["DH1"] == ["90", "69"]
