"""Suggested tags: our vocabulary for services whose feeds carry none (engine.py, pure),
from crosswalk data files (crosswalk.py), written and decided on (store.py)."""

from .engine import Suggestion, suggest
from .store import (
    NoSuchSuggestion,
    SuggestReport,
    decide,
    decide_all,
    pending,
    run_suggestions,
    suggest_for,
    suggested_codes,
)

__all__ = ["NoSuchSuggestion", "SuggestReport", "Suggestion", "decide", "decide_all", "pending",
           "run_suggestions", "suggest", "suggest_for", "suggested_codes"]
