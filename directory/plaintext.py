"""What typed text may contain. Names, emails, phone numbers and subjects are one line: a
line break or other control character in one would end up in an email header (and make the
mail code fail after the change was saved). Longer text keeps its line breaks and tabs but no
other control characters; NUL is refused everywhere (PostgreSQL cannot store it)."""

from __future__ import annotations

import re

# C0 controls, DEL, C1 controls, and the Unicode line and paragraph separators.
SINGLE_LINE_BAD = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
MULTI_LINE_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")

# Markup is refused rather than silently stripped: people write "<3" and "a < b", which are
# kept as text (and escaped when shown), but tags like <script> or <b> are not typed text.
TAG = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>")

SINGLE_LINE_MESSAGE = "Keep this to one line, without line breaks, tabs or control characters"
MULTI_LINE_MESSAGE = ("Remove the control characters "
                      "(anything that is not text, a line break or a tab)")


def single_line_problem(value: object) -> str | None:
    """Why value cannot be a one-line field, or None."""
    if isinstance(value, str) and SINGLE_LINE_BAD.search(value):
        return SINGLE_LINE_MESSAGE
    return None


def multi_line_problem(value: object) -> str | None:
    """Why value cannot be a longer text field, or None."""
    if isinstance(value, str) and MULTI_LINE_BAD.search(value):
        return MULTI_LINE_MESSAGE
    return None


def one_line(value: str) -> str:
    """The text with every run of control characters made one space (for mail headers)."""
    return re.sub(r"\s*[\x00-\x1f\x7f-\x9f\u2028\u2029]+\s*", " ", value).strip()
