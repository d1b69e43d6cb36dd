"""Anonymous demand counters: how often people asked for something, and how often it was missing.

Nothing here is about a person. A match adds one to a row for each of its goals and
conditions, keyed by month, postcode district (the outward code only) and readiness; a
search that found nothing adds one to a row per word, keyed by month. No profile, no text
typed by a Link Worker and no full postcode is kept (see directory/insights.py).
"""

from __future__ import annotations

import enum
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base


class NeedKind(enum.StrEnum):
    ALL = "all"  # the match as a whole, whatever it asked for
    GOAL = "goal"
    CONDITION = "condition"


class DemandCount(Base):
    """Matches asking for one goal or condition, in one district, one month, at one readiness."""

    __tablename__ = "demand_counts"

    month: Mapped[date] = mapped_column(primary_key=True)  # the first day of the month
    district: Mapped[str] = mapped_column(sa.String(4), primary_key=True)  # "" when unknown
    kind: Mapped[NeedKind] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(64), primary_key=True)  # a vocabulary id
    readiness: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    matches: Mapped[int] = mapped_column(default=0)
    # Of those, the matches with fewer than three suitable suggestions for this need ...
    few_options: Mapped[int] = mapped_column(default=0)
    # ... and of those, how many had a near miss ruled out by each rule.
    too_far: Mapped[int] = mapped_column(default=0)
    not_free: Mapped[int] = mapped_column(default=0)
    not_at_times: Mapped[int] = mapped_column(default=0)
    not_step_free: Mapped[int] = mapped_column(default=0)
    not_in_language: Mapped[int] = mapped_column(default=0)
    other_rule: Mapped[int] = mapped_column(default=0)


class SearchMiss(Base):
    """A word in searches that found nothing, and how many such searches used it that month.

    The word is kept only as a keyed hash until five searches have used it that month:
    a name typed once or twice is never stored where anyone could read it.
    """

    __tablename__ = "search_misses"

    month: Mapped[date] = mapped_column(primary_key=True)
    word_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)  # HMAC-SHA256, hex
    word: Mapped[str | None] = mapped_column(sa.String(40))  # once searches >= 5
    searches: Mapped[int] = mapped_column(default=0)
