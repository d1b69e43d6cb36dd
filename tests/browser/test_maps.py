"""Maps: the results' List / Map switch shows the same services as the list (counted), markers
are reached with the keyboard and named, a service page maps its venues with directions to
their coordinates, axe passes at 320, 390 and 1280 px, and with the tile host unreachable the
list still works and the map says it could not load. The plan a Link Worker prints maps its
services' venues on screen (a marker for each, as many as its "Get directions" links), and still
prints on the pages it did, with or without tiles. Tiles come from a stub on this machine."""

from __future__ import annotations

import re
import struct
import sys
import threading
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Locator, Page, expect

from .axe import describe, violations
from .conftest import DESKTOP, PHONE
from .keyboard import tab_to
from .server import DEMO_ACCOUNTS, LiveServer, copy_instance, free_port, serve
from .test_room_session import ADD, ANSWER, pdf_pages

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
    # Leaflet asks for tiles once the map has a size: wait for one to have loaded (asserted
    # at once, the stub had now and then not yet been asked, on a busy machine).
    expect(page.locator("#results-map img.leaflet-tile-loaded").first).to_be_attached()
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


def _placed(box: Locator) -> int:
    """Services on a map: its single markers and what its clusters say they hold."""
    markers = box.locator(".leaflet-marker-icon:not(.map-cluster)").count()
    return markers + sum(int(c.inner_text().split()[0]) for c in box.locator(".map-cluster").all())


def test_the_plan_maps_its_services_and_prints_as_before(chromium, mapped, tile_stub, axe_source,
                                                         artefacts, problems):
    context = chromium.new_context(base_url=mapped.url, viewport=DESKTOP)
    page = problems.watch(context.new_page())
    account = DEMO_ACCOUNTS["link_worker"]
    page.goto("/auth/login")
    page.get_by_label("Email address").fill(account.email)
    page.get_by_label("Password").fill(account.password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text(f"Signed in as {account.email}").wait_for()
    page.goto("/workspace/")
    page.get_by_label("Get more active / fitter", exact=True).check()
    page.get_by_label("Meet people / feel less lonely", exact=True).check()
    page.get_by_label("Postcode or place they start from").fill("NE4")
    page.get_by_label("How far can they travel? (km)").fill("8")
    page.get_by_role("button", name="Find services").click()
    expect(page.locator("#results-title")).to_contain_text("suggestion", **ANSWER)
    for n in (1, 2):
        page.locator("ol.results > li").get_by_role("button", name=ADD).first.click()
        expect(page.locator("#shortlist-title")).to_contain_text(f"({n})", **ANSWER)
    page.get_by_role("button", name="Make a plan").click()
    expect(page.locator(".plan-service")).to_have_count(2, **ANSWER)
    page.get_by_role("button", name="Save plan and get a link for their phone").click()
    expect(page.locator(".plan-phone__qr")).to_be_visible(**ANSWER)

    headings = page.locator(".plan-service h2").all_inner_texts()
    directions = page.locator(".plan-facts__directions")
    with_venues = page.locator(".plan-service", has=directions).count()
    assert with_venues >= 1
    box = page.locator("#plan-map")
    expect(box.locator(".leaflet-marker-icon").first).to_be_visible()
    assert _placed(box) == directions.count() == with_venues, "a marker for each venue"
    assert box.locator(".map__note").inner_text().startswith(
        f"{with_venues} {'place' if with_venues == 1 else 'places'} on the map.")
    for marker in box.locator(".leaflet-marker-icon:not(.map-cluster)").all():
        label = marker.get_attribute("alt") or ""
        assert any(label.startswith(h + ",") for h in headings), (label, headings)
    for link in directions.all():
        query = parse_qs(urlsplit(link.get_attribute("href") or "").query)
        assert re.fullmatch(r"-?\d+\.\d+,-?\d+\.\d+", query["destination"][0]), query

    first = box.locator(".leaflet-marker-icon").first
    tab_to(page, first)
    expect(first).to_be_focused()
    page.keyboard.press("Enter")
    popup = page.locator("#plan-map .leaflet-popup-content")
    expect(popup.locator("a").first).to_be_visible()
    assert popup.locator("a").first.inner_text() in headings
    assert popup.get_by_role("link", name="Get directions").get_attribute("href") in [
        link.get_attribute("href") for link in directions.all()]

    found = []
    for label, size in (("390", PHONE), ("1280", DESKTOP)):
        page.set_viewport_size(size)
        page.wait_for_timeout(300)  # Leaflet redraws on resize
        page.screenshot(path=str(artefacts / f"plan-map-{label}.png"), full_page=True)
        if failures := violations(page, axe_source):
            found.append(f"at {label} px:\n{describe(failures)}")
    assert not found, "\n".join(found)

    # On paper: no map and no directions (the addresses are printed), on one page as before.
    page.emulate_media(media="print")
    expect(page.locator(".plan-map")).to_be_hidden()
    expect(directions.first).to_be_hidden()
    pdf = page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
    page.emulate_media(media="screen")
    (artefacts / "plan-map.pdf").write_bytes(pdf)
    assert pdf_pages(pdf) == 1, f"two services printed on {pdf_pages(pdf)} pages"
    expect(page.locator("#plan-map img.leaflet-tile-loaded").first).to_be_attached()
    assert _Tiles.served, "no tile was fetched from the stub"
    link = page.locator(".plan-phone__link a").get_attribute("href") or ""
    assert not problems.seen, "\n".join(problems.seen)

    # The person's phone with the tile host unreachable: the plan reads, and says so.
    phone = chromium.new_context(base_url=mapped.url, viewport=PHONE)
    tiles_host = tile_stub.split("/{z}")[0]
    phone.route(f"{tiles_host}/**", lambda route: route.abort("connectionrefused"))
    offline = phone.new_page()
    offline.goto(link)
    expect(offline.locator("#plan-map [data-map-status]")).to_have_text(
        "The map could not load. Every service on it is in the list.")
    expect(offline.locator("#plan-map .map__canvas")).to_be_hidden()
    assert offline.locator(".plan-service h2").all_inner_texts() == headings
    expect(offline.locator(".plan-facts__directions")).to_have_count(directions.count())
    offline.emulate_media(media="print")
    assert pdf_pages(offline.pdf(format="A4", prefer_css_page_size=True)) == 1
    phone.close()
    context.close()
