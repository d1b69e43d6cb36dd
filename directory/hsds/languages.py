"""Language codes: ISO 639-1 as we keep them, their English names, and the codes feeds use."""

from __future__ import annotations

# ISO 639-1 -> (English name, ISO 639-2/T, ISO 639-2/B). The languages most asked for in UK
# services; any other two-letter code is still accepted, only without a name.
LANGUAGES: dict[str, tuple[str, str, str]] = {
    "en": ("English", "eng", "eng"),
    "cy": ("Welsh", "cym", "wel"),
    "gd": ("Scottish Gaelic", "gla", "gla"),
    "ga": ("Irish", "gle", "gle"),
    "ur": ("Urdu", "urd", "urd"),
    "bn": ("Bengali", "ben", "ben"),
    "pa": ("Punjabi", "pan", "pan"),
    "hi": ("Hindi", "hin", "hin"),
    "gu": ("Gujarati", "guj", "guj"),
    "ta": ("Tamil", "tam", "tam"),
    "ar": ("Arabic", "ara", "ara"),
    "fa": ("Persian", "fas", "per"),
    "ps": ("Pashto", "pus", "pus"),
    "ku": ("Kurdish", "kur", "kur"),
    "so": ("Somali", "som", "som"),
    "ti": ("Tigrinya", "tir", "tir"),
    "am": ("Amharic", "amh", "amh"),
    "sw": ("Swahili", "swa", "swa"),
    "yo": ("Yoruba", "yor", "yor"),
    "ig": ("Igbo", "ibo", "ibo"),
    "zh": ("Chinese", "zho", "chi"),
    "vi": ("Vietnamese", "vie", "vie"),
    "th": ("Thai", "tha", "tha"),
    "tl": ("Tagalog", "tgl", "tgl"),
    "pl": ("Polish", "pol", "pol"),
    "ro": ("Romanian", "ron", "rum"),
    "lt": ("Lithuanian", "lit", "lit"),
    "lv": ("Latvian", "lav", "lav"),
    "sk": ("Slovak", "slk", "slo"),
    "cs": ("Czech", "ces", "cze"),
    "bg": ("Bulgarian", "bul", "bul"),
    "hu": ("Hungarian", "hun", "hun"),
    "ru": ("Russian", "rus", "rus"),
    "uk": ("Ukrainian", "ukr", "ukr"),
    "sq": ("Albanian", "sqi", "alb"),
    "tr": ("Turkish", "tur", "tur"),
    "el": ("Greek", "ell", "gre"),
    "fr": ("French", "fra", "fre"),
    "de": ("German", "deu", "ger"),
    "es": ("Spanish", "spa", "spa"),
    "pt": ("Portuguese", "por", "por"),
    "it": ("Italian", "ita", "ita"),
    "nl": ("Dutch", "nld", "dut"),
}

_BY_THREE = {three: code for code, (_n, t, b) in LANGUAGES.items() for three in (t, b)}
_BY_NAME = {name.casefold(): code for code, (name, _t, _b) in LANGUAGES.items()}


def name_of(code: str) -> str | None:
    found = LANGUAGES.get(code)
    return found[0] if found else None


def to_iso639_1(code: str | None, name: str | None = None) -> str | None:
    """A two-letter code for what a feed gave (two- or three-letter code, or a name)."""
    text = (code or "").strip().lower().replace("_", "-")
    base = text.split("-")[0]  # "en-GB" -> "en"
    if len(base) == 2 and base.isalpha():
        return base
    if len(base) == 3 and base in _BY_THREE:
        return _BY_THREE[base]
    if name:
        return _BY_NAME.get(name.strip().casefold())
    return None
