"""Reading pages the way a browser would: the fields a form would send, and the error beside a field."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

from werkzeug.datastructures import MultiDict


class _FormReader(HTMLParser):
    """The values a browser would send for the first <form method="post"> with a given marker."""

    def __init__(self, marker: str) -> None:
        super().__init__(convert_charrefs=True)
        self.marker = marker
        self.depth = 0  # inside the wanted form when > 0
        self.done = False
        self.values: MultiDict[str, str] = MultiDict()
        self.select: str | None = None
        self.options: list[tuple[str, bool]] = []
        self.option_value: str | None = None
        self.textarea: str | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and not self.done and self.depth == 0 and self.marker in a.get("class", ""):
            self.depth = 1
            return
        if not self.depth:
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.values.add(a["name"], a.get("value", "on"))
            elif kind not in ("submit", "button") and a.get("name"):
                self.values.add(a["name"], a.get("value", ""))
        elif tag == "select":
            self.select, self.options = a.get("name"), []
        elif tag == "option" and self.select is not None:
            self.options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea":
            self.textarea, self.text = a.get("name"), []

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if not self.depth:
            return
        if tag == "form":
            self.depth, self.done = 0, True
        elif tag == "select" and self.select is not None:
            chosen = [v for v, selected in self.options if selected] or [v for v, _ in self.options[:1]]
            for value in chosen:
                self.values.add(self.select, value)
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            text = "".join(self.text)
            self.values.add(self.textarea, text[1:] if text.startswith("\n") else text)
            self.textarea = None


def read_form(html: str, marker: str = "listing-form") -> MultiDict[str, str]:
    reader = _FormReader(marker)
    reader.feed(html)
    assert reader.done, "no listing form on the page"
    return reader.values


def error_beside(html: str, field_id: str) -> str:
    """The error message shown beside a field (empty when there is none)."""
    found = re.findall(rf'<span class="nhsuk-error-message" id="{re.escape(field_id)}-error">'
                       r'<span class="nhsuk-u-visually-hidden">Error:</span>(.*?)</span>', html, re.S)
    return " ".join(unescape(m.strip()) for m in found)


def summary_links(html: str) -> list[str]:
    body = html.split('nhsuk-error-summary__list"', 1)
    if len(body) < 2:
        return []
    return re.findall(r'<a href="#([^"]+)">', body[1].split("</ul>", 1)[0])


PASSWORD = "correct horse battery"  # make_user's default


def csrf_token(html: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html)
    return found[1] if found else ""


def sign_in(client, email: str) -> None:
    """Sign in through the real form, CSRF token and all (for a second client or a CSRF app)."""
    token = csrf_token(client.get("/auth/login").get_data(as_text=True))
    response = client.post("/auth/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)


def found_in_search(client, words: str, public_id: str) -> bool:
    response = client.get("/search", query_string={"q": words})
    assert response.status_code == 200
    return f'id="result-{public_id}"' in response.get_data(as_text=True)


def fill(form: MultiDict[str, str], **values: str | list[str]) -> MultiDict[str, str]:
    """Set fields as a person would: replacing what was there (lists tick several boxes)."""
    for name, value in values.items():
        form.setlist(name, value if isinstance(value, list) else [value])
    return form
