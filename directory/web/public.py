"""Public pages, no account needed: home, search results, categories, services, about.

Every page that lists services has a JSON twin at the same address with ?format=json.
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from markupsafe import Markup

from .. import browse, freshness, geocoding, insights, search, vocabulary
from ..db import get_session
from . import ical, present, results
from .params import DAYS, SORTS, TIMES, WHEN, SearchParams, format_number, parse

log = logging.getLogger(__name__)
bp = Blueprint("public", __name__)


@bp.app_context_processor
def _page_helpers() -> dict[str, object]:
    """Template helpers for every page: whether the NHS.UK styles and Leaflet are installed,
    and the map's tiles."""
    return {"nhsuk_installed": _nhsuk_installed(), "maps": _maps()}


@bp.app_template_filter("km")
def _km(value: float) -> str:
    return present.km_text(value)


@bp.app_template_filter("num")
def _num(value: float) -> str:
    return format_number(value)


@bp.app_template_filter("when_text")
def _when_text(value: datetime) -> str:
    return present.when_text(value)


@bp.app_template_filter("tel")
def _tel(value: str) -> str:
    return present.phone_link(value)


@bp.app_template_filter("checked_date")
def _checked_date(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def _maps() -> dict[str, str] | None:
    """The map settings for templates, or None when Leaflet is not installed (no maps)."""
    found = current_app.extensions.get("leaflet_installed")
    if found is None:
        static = Path(current_app.static_folder or "")
        found = (static / "vendor" / "leaflet" / "leaflet.js").is_file()
        current_app.extensions["leaflet_installed"] = found
    if not found or not current_app.config.get("MAP_TILE_URL"):
        return None
    return {"tiles": str(current_app.config["MAP_TILE_URL"]),
            "attribution": str(current_app.config.get("MAP_ATTRIBUTION") or "")}


def _nhsuk_installed() -> bool:
    found = current_app.extensions.get("nhsuk_installed")
    if found is None:
        static = Path(current_app.static_folder or "")
        found = (static / "vendor" / "nhsuk" / "nhsuk.css").is_file()
        current_app.extensions["nhsuk_installed"] = found
    return bool(found)


@bp.get("/")
def home() -> ResponseReturnValue:
    session = get_session()
    return render_template(
        "public/home.html",
        active_count=browse.count_active_services(session),
        categories=browse.category_counts(session),
    )


@bp.get("/about")
def about() -> ResponseReturnValue:
    return render_template("public/about.html")


@bp.get("/accessibility")
def accessibility() -> ResponseReturnValue:
    return render_template("public/accessibility.html")


@bp.get("/search")
def search_results() -> ResponseReturnValue:
    return _results_page(None)


@bp.get("/categories/<code>")
def category(code: str) -> ResponseReturnValue:
    if code not in vocabulary.current().ids("categories"):
        abort(404)
    return _results_page(code)


def _results_page(category: str | None) -> ResponseReturnValue:
    vocab = vocabulary.current()
    params = parse(request.args, vocab)
    if category:
        params.categories = ()  # the page itself is the category filter
    page = results.run(get_session(), params, vocab, geocoding.current(), category)
    # Words only, and only when none were found.
    insights.record_search(current_app, params.q, page.total, freshness.today())
    if params.format == "json":
        return jsonify(page.as_json())
    return render_template(
        "public/results.html",
        r=page,
        params=params,
        vocab=vocab,
        category_label=vocab.label("categories", category) if category else None,
        category_description=vocab.description("categories", category) if category else None,
        action=request.path,
        filter_panel=_filter_panel(vocab, params, on_category_page=bool(category)),
        sorts=SORTS,
    )


# Rendered filter forms kept per process, by the filters chosen (most pages have none).
FILTER_PANELS_KEPT = 256


def _filter_panel(vocab: vocabulary.Vocabulary, params: SearchParams, *,
                  on_category_page: bool) -> Markup:
    """The filter form beside the results, rendered once for each choice of filters.

    Its hundred-odd options come from the vocabulary, which never changes while the app
    runs, and rendering them was a fifth of a results page's time.
    """
    key = (on_category_page, params.categories, params.activities, params.conditions,
           params.access, params.days, params.times, params.when)
    panels: dict[tuple[Any, ...], Markup] = current_app.extensions.setdefault(
        "public.filter_panels", {})
    panel = panels.get(key)
    if panel is None:
        if len(panels) >= FILTER_PANELS_KEPT:
            panels.clear()
        panel = panels[key] = Markup(render_template(
            "public/_filters.html", params=params, options=_filter_options(vocab, params),
            category_label=on_category_page,
        ))
    return panel


# Access facts offered as filters on the results pages (others still work from a link).
ACCESS_FILTERS = ("free", "low-cost", "drop-in", "self-referral", "wheelchair-accessible",
                  "step-free", "hearing-loop", "women-only", "men-only", "online", "telephone",
                  "home-visit", "interpreter-available", "dementia-friendly", "carers-welcome")


def _filter_options(vocab: vocabulary.Vocabulary, params: SearchParams) -> dict[str, Any]:
    """Choices for the filter form: (value, label) pairs, activities grouped by category."""
    categories = [(c["id"], c["label"]) for c in vocab.section("categories")]
    activities = [
        (label, [(a["id"], a["label"]) for a in vocab.section("activities")
                 if a.get("category") == code])
        for code, label in categories
    ]
    access = [c for c in ACCESS_FILTERS if c in vocab.ids("access")]
    access += [c for c in params.access if c not in access]
    return {
        "categories": categories,
        "activities": [(group, items) for group, items in activities if items],
        "conditions": [(c["id"], c["label"]) for c in vocab.section("conditions")],
        "access": [(c, vocab.label("access", c)) for c in access],
        "days": list(DAYS.items()),
        "times": list(TIMES.items()),
        "when": [("", "Any time"), *WHEN.items()],
    }


@bp.get("/services/<public_id>")
def service_detail(public_id: str) -> ResponseReturnValue:
    service = browse.read_active_service(get_session(), public_id) or abort(404)
    now = present.local_now()
    facts = present.detail(service, vocabulary.current(), now)
    if request.args.get("format", "").lower() == "json":
        return jsonify(facts)
    return render_template(
        "public/service.html", s=facts, service=service, back=_back_link(), today=now.date(),
    )


# "My list": services saved on the person's own device (localStorage, static/my_list.js); the
# page lists the ids in its address, so the same link prints or shares the list. No account,
# and nothing about the list reaches the server but this page's address.
MY_LIST_MOST = 50


@bp.get("/my-list")
def my_list() -> ResponseReturnValue:
    wanted = list(dict.fromkeys(i.strip() for i in request.args.getlist("id") if i.strip()))
    notes: list[str] = []
    if len(wanted) > MY_LIST_MOST:
        notes.append(f"A list holds up to {MY_LIST_MOST} services, so we show the first "
                     f"{MY_LIST_MOST}.")
        wanted = wanted[:MY_LIST_MOST]
    ids = [i for i in wanted if len(i) <= 64]
    rows = browse.active_service_views(get_session(), ids)
    vocab, now = vocabulary.current(), present.local_now()
    found = [results.saved_result(rows[i], vocab, now) for i in ids if i in rows]
    gone = len(wanted) - len(found)
    if gone:
        notes.append(f"{gone} saved {'service is' if gone == 1 else 'services are'} no longer "
                     "listed (paused, closed or removed), so "
                     f"{'it is' if gone == 1 else 'they are'} not shown.")
    link = url_for("public.my_list", id=[r.id for r in found], _external=True)
    return render_template("public/my_list.html", found=found, notes=notes, link=link,
                           asked=bool(wanted))


@bp.get("/services/<public_id>.ics")
def service_calendar(public_id: str) -> ResponseReturnValue:
    service = browse.read_active_service(get_session(), public_id) or abort(404)
    if not service.sessions:
        abort(404)
    url = url_for("public.service_detail", public_id=service.public_id, _external=True)
    body = ical.calendar(service, url, present.local_now())
    name = re.sub(r"[^a-z0-9]+", "-", service.name.lower()).strip("-")[:60] or "service"
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="{name}.ics"'},
    )


def _back_link() -> str | None:
    """The results page someone came from, if they came from one of ours."""
    referrer = request.referrer or ""
    parts = urlsplit(referrer)
    if parts.netloc != request.host:
        return None
    if parts.path == url_for("public.search_results") or parts.path.startswith("/categories/"):
        return referrer
    return None


@bp.errorhandler(search.IndexMissing)
def _index_missing(err: search.IndexMissing) -> ResponseReturnValue:
    log.error("search unavailable: %s", err)
    message = ("We cannot search the directory at the moment. Try again in a few minutes. "
               "If you know the service you want, its own page still works.")
    if request.args.get("format", "").lower() == "json":
        return jsonify({"errors": {"_search": [message]}}), 503
    return render_template("public/unavailable.html", message=message), 503
