"""Audience fit: which language or cultural community a service is run for.

A group run in Bengali for Bangladeshi women is the best place for a Bengali speaker and
the wrong one for everyone else, even when it also lists English and passes every hard
rule. A service's communities come from its languages beyond English and from a community
its name states ("Polish Club") or its description says it is for ("for Arab men"), read
through the small table below.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

# Words naming a language community, and the ISO 639-1 codes of the languages it speaks.
COMMUNITY_WORDS: dict[str, frozenset[str]] = {
    word: frozenset(codes.split())
    for word, codes in {
        "bengali": "bn", "bangladeshi": "bn", "bangla": "bn", "sylheti": "bn",
        "urdu": "ur", "pakistani": "ur", "punjabi": "pa", "gujarati": "gu", "hindi": "hi",
        "tamil": "ta", "asian": "bn gu hi pa ur",
        "arab": "ar", "arabic": "ar", "yemeni": "ar", "syrian": "ar", "iraqi": "ar",
        "sudanese": "ar", "kurdish": "ku", "persian": "fa", "farsi": "fa", "iranian": "fa",
        "afghan": "fa ps", "somali": "so", "eritrean": "ti", "tigrinya": "ti",
        "ethiopian": "am", "amharic": "am", "turkish": "tr",
        "chinese": "zh", "cantonese": "zh", "mandarin": "zh", "vietnamese": "vi",
        "polish": "pl", "romanian": "ro", "lithuanian": "lt", "latvian": "lv",
        "slovak": "sk", "czech": "cs", "hungarian": "hu", "bulgarian": "bg",
        "ukrainian": "uk", "russian": "ru", "portuguese": "pt",
    }.items()
}
_WORDS = "|".join(sorted(COMMUNITY_WORDS, key=len, reverse=True))
# Capitalised, as community names are in English: "Polish Club", not "polish your CV".
_NAMES = "|".join(sorted((w.capitalize() for w in COMMUNITY_WORDS), key=len, reverse=True))
_IN_NAME = re.compile(rf"\b({_NAMES})\b")
# "for Bangladeshi women", "for the Polish community", "for South Asian families"
_FOR_IN_TEXT = re.compile(
    rf"\bfor (?:the |local |older |[Ss]outh |[Ee]ast )*({_NAMES})(?:[- ]speaking)? "
    r"(?:women|men|people|families|elders|community|communities|speakers|residents|mums|"
    r"mothers|fathers|parents|youth|children|seniors|ladies|neighbours)\b",
)
# A service offered in this many languages besides English is multilingual, not run for one
# community: it suits their speakers but does not turn away everyone else.
MULTILINGUAL = 3


class Audience(NamedTuple):
    """The communities a service is run in or for (language codes), and whether it is run for
    them (True) or only offered in their languages among many (False)."""

    languages: frozenset[str]
    exclusive: bool


NO_AUDIENCE = Audience(frozenset(), False)


def audience(name: str, description: str, languages: frozenset[str]) -> Audience:
    """The language communities a service is for, read from its languages, name and text."""
    beyond = languages - {"en"}
    stated = _stated(name, description)
    if not beyond and not stated:
        return NO_AUDIENCE
    return Audience(beyond | stated, bool(stated) or 0 < len(beyond) < MULTILINGUAL)


# Cached: a service's name and text change far less often than it is matched.
@lru_cache(maxsize=65536)
def _stated(name: str, description: str) -> frozenset[str]:
    codes: set[str] = set()
    for m in _IN_NAME.finditer(name):
        codes |= COMMUNITY_WORDS[m.group(1).lower()]
    for m in _FOR_IN_TEXT.finditer(description):
        codes |= COMMUNITY_WORDS[m.group(1).lower()]
    return frozenset(codes)
