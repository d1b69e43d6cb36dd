"""Personal fields encrypted at rest: a column type that seals text with Fernet on the way in
and opens it on the way out, so plaintext never reaches the database (nor its backups).

The keys are the app's REFERRAL_KEYS (comma-separated Fernet keys): the first encrypts, every
one decrypts (cryptography's MultiFernet), so a new key can be put first and old rows
re-encrypted with `directory rotate-referral-keys` before the old key is dropped.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import Flask, current_app, has_app_context

EXTENSION = "referral_keys"


class BadKeys(ValueError):
    """REFERRAL_KEYS holds something that is not a Fernet key."""


def load_keys(text: str) -> MultiFernet:
    """A MultiFernet from comma-separated keys, newest first."""
    keys = [k.strip() for k in text.split(",") if k.strip()]
    if not keys:
        raise BadKeys("REFERRAL_KEYS is empty")
    try:
        return MultiFernet([Fernet(k) for k in keys])
    except ValueError as err:
        raise BadKeys(f"REFERRAL_KEYS holds a value that is not a Fernet key: {err}") from err


def load_or_create_key(folder: Path) -> str:
    """The instance's own key (owner-readable only), created on first start. Written beside
    and linked into place, so a worker starting at the same moment reads a whole key."""
    path = folder / "referral_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    folder.mkdir(parents=True, exist_ok=True)
    draft = folder / f".referral_key.{os.getpid()}"
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(Fernet.generate_key().decode() + "\n")
    try:
        os.link(draft, path)
    except FileExistsError:
        pass  # another worker's key is in place: use that one
    finally:
        draft.unlink()
    return path.read_text(encoding="utf-8").strip()


# The keys of the app built last, for sessions used outside an app context (scripts, tests).
_last: list[MultiFernet] = []


def init_app(app: Flask) -> None:
    if not app.config.get("REFERRAL_KEYS"):
        app.config["REFERRAL_KEYS"] = load_or_create_key(Path(app.instance_path))
    app.extensions[EXTENSION] = load_keys(app.config["REFERRAL_KEYS"])
    _last[:] = [app.extensions[EXTENSION]]


def current_keys() -> MultiFernet:
    """This app's keys (or, outside any app context, those of the app built last)."""
    if has_app_context():
        return current_app.extensions[EXTENSION]  # type: ignore[no-any-return]
    if not _last:
        raise BadKeys("No app has loaded REFERRAL_KEYS")
    return _last[0]


class Sealed(sa.types.TypeDecorator[str]):
    """Text stored as a Fernet token. NULL stays NULL (an erased field)."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        if value is None:
            return None
        return current_keys().encrypt(str(value).encode("utf-8")).decode("ascii")

    def process_result_value(self, value: Any, dialect: Any) -> str | None:
        if value is None:
            return None
        try:
            return current_keys().decrypt(str(value).encode("ascii")).decode("utf-8")
        except InvalidToken as err:
            raise BadKeys("A sealed field cannot be opened with any of REFERRAL_KEYS "
                            "(was a key dropped before rotating?)") from err


def rotate(token: str) -> str:
    """The same plaintext under the first key (MultiFernet.rotate)."""
    return current_keys().rotate(token.encode("ascii")).decode("ascii")
