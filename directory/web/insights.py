"""The insights page and its CSV exports: demand and gaps, for admins and commissioners.

Read-only. The figures come from directory.insights, already suppressed where they are
shown; the charts are SVG drawn here and in templates/insights/, each with a table of the
same numbers beside it.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Blueprint, Response, abort, render_template, request
from flask.typing import ResponseReturnValue

from .. import freshness, insights, vocabulary
from ..auth.permissions import role_required
from ..db import get_session
from ..models import Role

bp = Blueprint("insights", __name__, url_prefix="/insights")

PERIODS = {3: "the last 3 months", 6: "the last 6 months", 12: "the last 12 months"}
BAR_WIDTH = 360  # px for the longest bar
# Shades for the share of matches with fewer than three options: (from %, fill, text colour).
BANDS = ((0, "#e8edee", "#212b32"), (25, "#aed0ee", "#212b32"), (50, "#005eb8", "#ffffff"),
         (75, "#003087", "#ffffff"))


@bp.before_request
@role_required(Role.ADMIN, Role.COMMISSIONER)
def _readers_only() -> None:
    """Every insights route: sign-in (redirect), then admin or commissioner (403)."""


def _figures() -> tuple[insights.Figures, int]:
    months = request.args.get("months", type=int, default=3)
    if months not in PERIODS:
        months = 3
    goal = request.args.get("goal") or None
    return insights.figures_for(get_session(), vocabulary.current(), freshness.today(), months,
                                goal), months


@bp.get("/")
def overview() -> ResponseReturnValue:
    figures, months = _figures()
    return render_template(
        "insights/overview.html", f=figures, months=months, periods=PERIODS,
        period=PERIODS[months], suppress=insights.suppress, few=insights.FEW_OPTIONS,
        smallest=insights.SMALLEST_SHOWN, rules=insights.RULES,
        tiles=tiles(figures.districts),
        trend=bars([(m["month"].strftime("%b %Y"), m["matches"], m["few_options"])
                    for m in figures.trend]),
        stale=bars([(s["district"], s["listings"], s["stale"] + s["expired"])
                    for s in figures.stale], suppressed=False),
        searches=bars([(w["word"], w["searches"], 0) for w in figures.searches]),
    )


@bp.get("/<name>.csv")
def export(name: str) -> ResponseReturnValue:
    if name not in insights.EXPORTS:
        abort(404)
    figures, months = _figures()
    out = io.StringIO()
    csv.writer(out).writerows(insights.export_rows(figures, name))
    filename = f"insights-{name}-{figures.start:%Y-%m}-to-{figures.end:%Y-%m}.csv"
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def bars(rows: list[tuple[str, int, int]], *, suppressed: bool = True) -> list[dict[str, Any]]:
    """Horizontal bars: (label, whole, part) -> geometry and the words each bar shows.

    A suppressed count (1 to 4) draws no bar, so its length cannot tell what the words hide.
    """
    shown = (lambda n: insights.is_shown(n)) if suppressed else (lambda n: True)
    words = insights.suppress if suppressed else str
    top = max([whole for _, whole, _ in rows if shown(whole)] or [1]) or 1
    return [{"label": label, "y": 28 * i,
             "whole": round(BAR_WIDTH * whole / top) if shown(whole) else 0,
             "part": round(BAR_WIDTH * part / top) if shown(part) and shown(whole) else 0,
             "whole_text": words(whole), "part_text": words(part)}
            for i, (label, whole, part) in enumerate(rows)]


def tiles(districts: list[dict[str, Any]], per_row: int = 6) -> list[dict[str, Any]]:
    """One square per district, shaded by its share of matches with few options (unshaded
    and marked when it had fewer than 5 matches)."""
    placed = []
    for i, d in enumerate(districts):
        fill, ink = "#ffffff", "#212b32"
        if d["share"] is not None:
            fill, ink = next((f, t) for start, f, t in reversed(BANDS) if d["share"] >= start)
        placed.append({**d, "x": 96 * (i % per_row), "y": 72 * (i // per_row), "fill": fill,
                       "ink": ink, "text": f"{d['share']}%" if d["share"] is not None
                       else insights.SUPPRESSED})
    return placed
