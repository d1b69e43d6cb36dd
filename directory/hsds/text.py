"""Text as feeds send it, made safe and readable: HTML to plain text, invisible characters out.

Feeds put HTML in descriptions (Open Place councils always do). nh3, a kept sanitiser,
removes everything but paragraphs, line breaks and lists (script and style go with their
content); the few tags left are then read by the standard library's HTML parser into text
with blank lines between paragraphs and "- " before list items. No regular expression ever
decides what is markup.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nh3

# Zero-width and other invisible format characters that break addresses copied from pages.
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad"), None)
KEPT_TAGS = {"p", "br", "ul", "ol", "li", "div", "h1", "h2", "h3", "h4", "h5", "h6"}
BLOCKS = KEPT_TAGS - {"br", "li"}


def strip_invisible(value: str) -> str:
    """value without zero-width spaces, joiners, direction marks, BOMs or soft hyphens."""
    return value.translate(INVISIBLE)


# Only whether to treat text as HTML is decided by pattern (a tag or an entity); what is
# markup once it is, nh3 and the HTML parser decide.
_MARKUP = re.compile(r"<(?:/?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?|!--)>"
                     r"|&(?:#[0-9]+|#x[0-9A-Fa-f]+|[A-Za-z]+[0-9]*);")


def looks_like_html(value: str) -> bool:
    """Whether value holds a tag or an entity; plain text is left exactly as it came."""
    return _MARKUP.search(value) is not None


def html_to_text(value: str) -> str:
    """Readable plain text of an HTML fragment; plain text comes back unchanged."""
    if not looks_like_html(value):
        return value
    safe = nh3.clean(value, tags=KEPT_TAGS, attributes={}, clean_content_tags={"script", "style"},
                     link_rel=None, strip_comments=True)
    reader = _TextReader()
    reader.feed(safe)
    reader.close()
    return reader.text()


class _TextReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[list[str]] = [[]]

    def _new_block(self) -> None:
        if "".join(self.blocks[-1]).strip():
            self.blocks.append([])

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in BLOCKS:
            self._new_block()
        elif tag == "li":
            self._new_block()
            self.blocks[-1].append("- ")
        elif tag == "br":
            self.blocks[-1].append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCKS or tag == "li":
            self._new_block()

    def handle_data(self, data: str) -> None:
        self.blocks[-1].append(data.replace("\u00a0", " "))

    def text(self) -> str:
        paragraphs = []
        for block in self.blocks:
            lines = [" ".join(line.split()) for line in "".join(block).split("\n")]
            text = "\n".join(line for line in lines if line)
            if text:
                paragraphs.append(text)
        # List items sit on consecutive lines; other blocks are parted by a blank line.
        out: list[str] = []
        for text in paragraphs:
            if out and not (text.startswith("- ") and out[-1].startswith("- ")):
                out.append("\n")
            out.append(text + "\n")
        return "".join(out).rstrip("\n")
