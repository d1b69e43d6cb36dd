"""Maps: the results' List / Map switch shows the same services as the list (counted), markers
are reached with the keyboard and named, a service page maps its venues with directions to
their coordinates, axe passes at 320, 390 and 1280 px, and with the tile host unreachable the
list still works and the map says it could not load. Tiles come from a stub on this machine."""

from __future__ import annotations

import struct
import sys
import threading
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from .axe import describe, violations
from .conftest import DESKTOP, PHONE
from .keyboard import tab_to
from .server import LiveServer, copy_instance, free_port, serve

pytestmark = pytest.mark.browser

BREATHERS = "/services/0c5344f0-7a01-5eb5-a95f-0d9a205da5bd"
NARROW = {"width": 320, "height": 640}


def _png() -> bytes:
    """A plain 256 x 256 grey tile."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    rows = b"".join(b"\x00" + b"\xdd" * 256 for _ in range(256))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 256, 256, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


class _Tiles(BaseHTTPRequestHandler):
    served: list[str] = []
    tile = _png()

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.served.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(self.tile)))
        self.end_headers()
        self.wfile.write(self.tile)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def tile_stub() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Tiles)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/{{z}}/{{x}}/{{y}}.png"
    server.shutdown()
    server.server_close()


def _served_with_tiles(instance: Path, tile_url: str) -> Iterator[LiveServer]:
    def command(port: int) -> list[str]:
        return ["env", f"DIRECTORY_MAP_TILE_URL={tile_url}", sys.executable, "-m", "directory",
                "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    with serve(instance, command) as server:
        yield server


@pytest.fixture(scope="module")
def mapped(demo_instance: Path, tile_stub: str, tmp_path_factory) -> Iterator[LiveServer]:
    instance = tmp_path_factory.mktemp("mapped") / "instance"
    copy_instance(demo_instance, instance)
    yield from _served_with_tiles(instance, tile_stub)


@pytest.fixture(scope="module")
def unreachable(demo_instance: Path, tmp_path_factory) -> Iterator[LiveServer]:
    instance = tmp_path_factory.mktemp("unreachable") / "instance"
    copy_instance(demo_instance, instance)
    yield from _served_with_tiles(instance, f"http://127.0.0.1:{free_port()}/{{z}}/{{x}}/{{y}}.png")


def _axe_at_every_width(page: Page, axe_source: str, artefacts: Path, name: str) -> None:
    found = []
    for label, size in (("320", NARROW), ("390", PHONE), ("1280", DESKTOP)):
        page.set_viewport_size(size)
        page.wait_for_timeout(300)  # Leaflet redraws on resize
        page.screenshot(path=str(artefacts / f"{name}-{label}.png"), full_page=True)
        if failures := violations(page, axe_source):
            found.append(f"at {label} px:\n{describe(failures)}")
    assert not found, "\n".join(found)


def test_the_map_shows_the_same_services_as_the_list(chromium, mapped, axe_source, artefacts,
                                                     problems):
    context = chromium.new_context(base_url=mapped.url, viewport=DESKTOP)
    page = problems.watch(context.new_page())
    page.goto("/search?q=walking&place=NE4+8XJ")
    names = page.locator("#results .nhsuk-card__link").all_inner_texts()
    assert len(names) == 10
    page.get_by_role("button", name="Map").click()
    expect(page.locator("#results")).to_be_hidden()
    markers = page.locator("#results-map .leaflet-marker-icon:not(.map-cluster)")
    clusters = page.locator("#results-map .map-cluster")
    expect(page.locator("#results-map .leaflet-marker-icon").first).to_be_visible()
    note = page.locator("#results-map .map__note").inner_text()
    clustered = sum(int(c.inner_text().split()[0]) for c in clusters.all())
    placed = markers.count() + clustered
    unplaced = len(names) - placed
    # Every service of the list is on the map or named as having no place, and no more.
    assert note.startswith(f"{placed} places on the map."), note
    assert 0 <= unplaced < len(names)
    if unplaced:
        assert f"{unplaced} service" in note
    labels = [m.get_attribute("alt") or "" for m in markers.all()]
    assert all(any(label.startswith(n + ",") for n in names) for label in labels), labels
    for cluster in clusters.all():
        expect(cluster).to_have_attribute("role", "button")
        assert "services here: select to zoom in" in cluster.inner_text()
    assert _Tiles.served, "no tile was fetched from the stub"

    first = markers.first
    tab_to(page, first)
    expect(first).to_be_focused()
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup-content a").first
    expect(popup).to_be_visible()
    assert popup.inner_text() in names
    _axe_at_every_width(page, axe_source, artefacts, "results-map")

    page.get_by_role("button", name="List").click()
    expect(page.locator("#results")).to_be_visible()
    context.close()


def test_a_service_page_maps_its_venue_with_directions_to_it(chromium, mapped, axe_source,
                                                             artefacts, problems):
    context = chromium.new_context(base_url=mapped.url, viewport=PHONE)
    page = problems.watch(context.new_page())
    page.goto(BREATHERS)
    venue = page.request.get(BREATHERS + "?format=json").json()["venues"][0]
    marker = page.locator("#service-map .leaflet-marker-icon")
    expect(marker).to_have_count(1)
    assert (marker.get_attribute("alt") or "").startswith(venue["name"])
    tab_to(page, marker)
    page.keyboard.press("Enter")
    directions = page.locator(".leaflet-popup-content a", has_text="Get directions")
    expect(directions).to_be_visible()
    for link in [directions, page.locator(".key-facts__directions"),
                 page.locator(".venue__directions a")]:
        query = parse_qs(urlsplit(link.get_attribute("href") or "").query)
        assert query["destination"] == [f"{venue['latitude']},{venue['longitude']}"]
    _axe_at_every_width(page, axe_source, artefacts, "service-map")
    context.close()


def test_with_the_tile_host_unreachable_the_list_works_and_the_map_says_so(chromium, unreachable):
    context = chromium.new_context(base_url=unreachable.url, viewport=DESKTOP)
    page = context.new_page()
    page.goto("/search?q=walking")
    cards = page.locator("#results .nhsuk-card__link")
    assert cards.count() == 10
    page.get_by_role("button", name="Map").click()
    expect(page.locator("#results-map [data-map-status]")).to_have_text(
        "The map could not load. Every service on it is in the list.")
    page.get_by_role("button", name="List").click()
    name = cards.first.inner_text()
    cards.first.click()
    expect(page.locator("h1")).to_have_text(name)
    expect(page.locator("#service-map [data-map-status]")).to_have_text(
        "The map could not load. Every service on it is in the list.")
    expect(page.locator("#key-facts")).to_be_visible()
    context.close()
