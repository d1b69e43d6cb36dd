"""Public pages: the home page counts active services; errors are plain pages, never tracebacks."""

from __future__ import annotations

import re

from directory.models import ServiceStatus

from .factories import make_service


def test_home_counts_only_active_services(client, db):
    make_service(db, "Active walk")
    make_service(db, "Another active walk")
    for status in (ServiceStatus.PAUSED, ServiceStatus.CLOSED, ServiceStatus.PENDING, ServiceStatus.DRAFT):
        make_service(db, f"{status.value} group", status=status)
    body = client.get("/").get_data(as_text=True)
    assert re.search(r"lists <strong>2</strong>\s+services running now", body)


def test_home_has_the_site_header_footer_and_category_counts(client, db):
    make_service(db, categories=("ltc-management", "community"))
    body = client.get("/").get_data(as_text=True)
    assert 'class="site-header"' in body and 'class="site-footer"' in body
    assert "Skip to main content" in body
    assert re.search(r"Long-term condition support</span>\s*<span class=\"tile-count\">1 service<", body)


def test_about_page_credits_the_geographic_data(client):
    body = client.get("/about").get_data(as_text=True)
    assert "Code-Point Open" in body and "Open Government Licence" in body
    assert "GeoNames" in body and "Creative Commons Attribution 4.0" in body


def test_unknown_pages_get_a_plain_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_a_lost_database_gives_a_503_page_not_a_500(make_app, unreachable_database_url):
    app = make_app(DATABASE_URL=unreachable_database_url)
    response = app.test_client().get("/")
    assert response.status_code == 503
    assert "service is unavailable" in response.get_data(as_text=True)


def test_pages_carry_basic_security_headers(client):
    headers = client.get("/").headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    csp = headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp


def test_no_template_has_inline_scripts_or_styles():
    from pathlib import Path

    for path in (Path(__file__).resolve().parents[2] / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "style=" not in text and "<style" not in text, path
        for tag in text.split("<script")[1:]:
            assert "src=" in tag.split(">")[0], f"inline script in {path}"


def test_the_accessibility_statement_is_linked_from_every_page(client):
    assert 'href="/accessibility"' in client.get("/").get_data(as_text=True)
    body = client.get("/accessibility").get_data(as_text=True)
    assert "WCAG" in body and "Enforcement procedure" in body
