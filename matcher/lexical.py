"""A small built-in relevance of the person's own words to a service's text, used when the app
gives no full-text scores: lowercase, stopwords, light stemming, idf-weighted term overlap."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

_WORD = re.compile(r"[a-z0-9]+")
_STOPWORDS = """
    a about above after again all also am an and any are as at be because been before being
    below between both but by can cannot could did do does doesn doing don down during each
    every few for from further get gets getting go goes going got had has have having he her
    here hers him his how i if in into is isn it its just like ll me more most my no nor not
    now of off on once only or other our out over own re really same she should so some still
    such than that the their them then there these they this those through to too under until
    up us very was wasn we were what when where which while who whom why will with won would
    you your yours ve
    ago around back bit ever feel felt first last lot lots make much need needs never one
    quite round said say says since something thing things two want wanted wants way week
    weeks well year years"""
STOPWORDS = frozenset(_STOPWORDS.split())


def stem(word: str) -> str:
    """A light suffix-stripping stem: knitting -> knit, walks -> walk, loved -> lov."""
    base = _strip_suffix(word)
    return base[:-1] if base.endswith("e") and len(base) > 3 else base  # love, loved -> lov


def _strip_suffix(word: str) -> str:
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix in ("es", "s") and word.endswith(("ss", "us", "is")):
                return word
            if suffix == "es" and not word.endswith(("ches", "shes", "sses", "xes", "zes")):
                continue  # "hopes" -> "hope", handled by plain "s"
            base = word[: -len(suffix)] + keep
            doubled = len(base) >= 4 and base[-1] == base[-2] and base[-1] not in "ls"
            if suffix in ("ing", "ed") and doubled:
                base = base[:-1]  # knitt -> knit, but keep "fall", "class"
            return base
    return word


def terms(text: str) -> list[str]:
    """Content-word stems of a text, in order."""
    return [stem(w) for w in _WORD.findall(_normal(text)) if len(w) > 2 and w not in STOPWORDS]


def _normal(text: str) -> str:
    return text.lower().replace("\u2019", "'").replace("'s ", " ")


@dataclass(frozen=True, slots=True)
class TextMatch:
    """How well one service's text matches the person's words (0..1) and the words shared."""

    score: float
    terms: tuple[str, ...]


_NO_MATCH = TextMatch(0.0, ())


def relevance(query: str, documents: Mapping[str, str]) -> dict[str, TextMatch]:
    """Score each document (id -> text) by the idf-weighted share of query terms it contains."""
    query_terms = sorted(set(terms(query)))
    wanted = frozenset(query_terms)
    # A stem keeps the first three letters of its word (and stems are never shorter), so only
    # the words that start like a wanted stem can have it: only those are looked at.
    likely = _words_starting(t[:3] for t in wanted) if wanted else None
    doc_terms = {
        doc_id: _found(text, wanted, likely) if likely else set()
        for doc_id, text in documents.items()
    }
    df: Counter[str] = Counter()
    for found in doc_terms.values():
        df.update(found)
    n = len(doc_terms)
    idf = {t: math.log(1 + (n + 1) / (df[t] + 0.5)) for t in query_terms if df[t]}
    total = sum(idf.values())
    result: dict[str, TextMatch] = {}
    for doc_id, found in doc_terms.items():
        if not found:
            result[doc_id] = _NO_MATCH
            continue
        shared = tuple(t for t in query_terms if t in idf and t in found)
        score = sum(idf[t] for t in shared) / total if total else 0.0
        result[doc_id] = TextMatch(score, shared)
    return result


def _words_starting(prefixes: Iterable[str]) -> re.Pattern[str]:
    """Finds the whole words (as terms() reads them) that start with one of the prefixes."""
    either = "|".join(re.escape(x) for x in sorted(set(prefixes)))
    return re.compile(rf"(?<![a-z0-9])(?:{either})[a-z0-9]*")


def _found(text: str, wanted: frozenset[str], likely: re.Pattern[str]) -> set[str]:
    """The stems in wanted that occur in text, as set(terms(text)) & wanted, stemming only the
    likely words (see relevance)."""
    words = set(likely.findall(_normal(text)))
    return {t for w in words if len(w) > 2 and w not in STOPWORDS and (t := stem(w)) in wanted}


def shared_words(query: str, text: str) -> tuple[str, ...]:
    """The person's own words (as written) whose stems also occur in text."""
    words = [w for w in _WORD.findall(query.lower()) if len(w) > 2 and w not in STOPWORDS]
    stems = {w: stem(w) for w in words}
    wanted = frozenset(stems.values())
    if not wanted:
        return ()
    # As set(terms(text)) & wanted, stemming only the words of text that could match.
    found = _found(text, wanted, _words_starting(t[:3] for t in wanted))
    return tuple(dict.fromkeys(w for w in words if stems[w] in found))


def document(parts: Iterable[str]) -> str:
    """Join a service's searchable texts into one."""
    return " \n".join(parts)


# What the person says they don't want, as opposed to what they lack: "not ready for groups",
# "can't be doing with crowds", "hated the weigh-in", "fed up stuck in the house" (what
# someone is fed up with is what they want out of). Plain "not", "no", "never" or "can't"
# are left alone, as they usually describe a situation the person wants help with ("never
# claimed anything", "can't get in the bath", "no one to talk to").
_NOT_WANTED = re.compile(
    r"\b(?:not (?:ready|keen|interested|into|up to|one for|a fan of|bothered about|fussed on)"
    r"|(?:doesn't|does not|don't|do not|didn't|did not|wouldn't|would not|won't|will not)"
    r" (?:like|want|fancy|enjoy|feel up to|do well with|get on with)"
    r"|(?:can't|cannot|can not|couldn't)"
    r" (?:be doing with|be bothered with|stand|face|abide|bear|cope with|handle)"
    r"|hates?|hated|dislikes?|disliked|avoids?|avoided|avoiding|refuses?|no more|rather not"
    r"|put off by|sick of|tired of|bored of|bored with|fed up(?: of| with| being)?"
    r"|nervous of|scared of|frightened of|afraid of)\b"
)
# A negation's scope runs to the end of its clause.
_CLAUSE_END = re.compile(r"[;:,.!?()\n]|\b(?:but|though|although|however|because)\b")


def split_wanted(text: str) -> tuple[str, str]:
    """(what the person wants, what they said they don't want) in their words, each with the
    negated clauses moved to the second: "not ready for groups yet; wants someone to talk to"
    gives ("; wants someone to talk to", "groups")."""
    plain = text.replace("\u2019", "'").lower()
    wanted: list[str] = []
    unwanted: list[str] = []
    at = 0
    for cue in _NOT_WANTED.finditer(plain):
        if cue.start() < at:
            continue  # inside the scope of an earlier cue
        end = _CLAUSE_END.search(plain, cue.end())
        stop = end.start() if end else len(plain)
        wanted.append(plain[at : cue.start()])
        unwanted.append(plain[cue.end() : stop].strip())
        at = stop
    if not unwanted:
        return text, ""
    wanted.append(plain[at:])
    return " ".join(w.strip() for w in wanted if w.strip()), " ".join(u for u in unwanted if u)
