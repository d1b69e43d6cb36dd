"""Where HSDS services come from: a JSON file, or an HSDS API walked page by page.

Fetching is a plain function `fetch(url) -> parsed JSON`, passed in, so tests can serve an
API without the network; `fetch_json` is the real one (urllib, with a timeout).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

from .records import Unreadable
from .shapes import V1_PAGE, detect

Fetch = Callable[[str], object]
PER_PAGE = 100
MAX_PAGES = 100_000
USER_AGENT = "social-prescribing-directory (HSDS import)"
# An item of a list page with none of these is only a summary: fetch the full service.
NESTED = ("attributes", "schedules", "service_at_locations", "languages", "cost_options",
          "phones", "service_areas", "contacts", "funding")


class FeedError(Exception):
    """The source could not be read at all (or stopped part way); str() says why."""


@dataclass
class Feed:
    items: Iterator[object]
    total: int | None  # how many services the source says it has, when it says
    shape: str = ""  # what the source was read as (shapes.py), named in the import summary


def fetch_json(url: str, timeout: float = 30.0) -> object:
    request = urllib.request.Request(url, headers={"Accept": "application/json",
                                                   "User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            body = response.read()
    except urllib.error.HTTPError as err:
        raise FeedError(f"{url} answered {err.code} {err.reason}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as err:
        raise FeedError(f"could not reach {url}: {getattr(err, 'reason', err)}") from None
    try:
        return json.loads(body)
    except ValueError:
        raise FeedError(f"{url} did not answer with JSON") from None


def open_source(source: str, fetch: Fetch = fetch_json) -> Feed:
    """A file holding a list of services or a page of them, or the base URL of an HSDS API."""
    if source.startswith(("http://", "https://")):
        return walk_api(source, fetch)
    path = Path(source)
    try:
        with path.open(encoding="utf-8") as handle:
            document = json.load(handle)
    except OSError as err:
        raise FeedError(f"cannot read {source}: {err.strerror or err}") from None
    except ValueError as err:
        raise FeedError(f"{source} is not valid JSON: {err}") from None
    try:
        shape, items = detect(document)
    except ValueError as err:
        raise FeedError(f"{source}: {err}") from None
    return Feed(iter(items), len(items), shape)


def source_label(source: str) -> str:
    """How imported services record where they came from: the URL, or the file's full path."""
    if source.startswith(("http://", "https://")):
        return source
    return str(Path(source).resolve())


def _page_url(base: str, page: int) -> str:
    return f"{base}/services?" + urlencode({"page": page, "per_page": PER_PAGE, "full": "true"})


def _page(fetch: Fetch, url: str) -> Mapping[str, object]:
    """One page, HSDS 3 (`contents`) or ORUK v1 (`content`), always read as `contents`."""
    page = fetch(url)
    if isinstance(page, Mapping) and isinstance(page.get("content"), list) and (
            "contents" not in page):
        return {"contents": page["content"], "total_items": page.get("totalElements"),
                "total_pages": page.get("totalPages"), "last_page": page.get("last"),
                "shape": V1_PAGE}
    if isinstance(page, list):  # an API that answers its whole list at once
        return {"contents": page, "last_page": True, "shape": detect(page)[0]}
    if not isinstance(page, Mapping) or not isinstance(page.get("contents"), list):
        raise FeedError(f"{url} is not an HSDS page (no 'contents' list)")
    return page


def walk_api(base_url: str, fetch: Fetch = fetch_json) -> Feed:
    """Every service of an HSDS API, following its pages; summaries are fetched in full."""
    base = base_url.rstrip("/")
    if base.endswith("/services"):
        base = base[: -len("/services")]
    first = _page(fetch, _page_url(base, 1))
    total = first.get("total_items")

    def items() -> Iterator[object]:
        page, number = first, 1
        while True:
            contents = page["contents"]
            assert isinstance(contents, list)
            for item in contents:
                yield _full(fetch, base, item)
            pages = page.get("total_pages")
            if (not contents or page.get("last_page") is True
                    or (isinstance(pages, int) and number >= pages)):
                return
            number += 1
            if number > MAX_PAGES:
                raise FeedError(f"{base} has more than {MAX_PAGES} pages")
            page = _page(fetch, _page_url(base, number))

    shape = str(first.get("shape") or "HSDS/ORUK 3.0 API pages") + " from an API"
    return Feed(items(), total if isinstance(total, int) and not isinstance(total, bool) else None,
                shape)


def _full(fetch: Fetch, base: str, item: object) -> object:
    if not isinstance(item, Mapping) or any(key in item for key in NESTED) or not item.get("id"):
        return item
    service_id = str(item["id"])
    try:
        return fetch(f"{base}/services/{quote(service_id, safe='')}")
    except FeedError as err:
        return Unreadable(service_id, str(err))
