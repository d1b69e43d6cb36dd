"""The audit trail: every change to a listing, venue, organisation or account, recorded in the
same transaction as the change, with who made it and each field's old and new value.

It listens on the app's sessionmaker (like the search sync), so every write path is covered:
the web, the API, the command line, imports and signed links. Who is speaking comes from
`acting_as()` (command line, imports, signed links) or else the signed-in user. The rows are
written with a plain INSERT after the flush; the app has no way to change them and the
database refuses UPDATE and DELETE on the table.

Values have one shape, the model's, however the change came: a change waiting for approval
is recorded as the listing would hold it (`snapshot_changes`); `describe` reads that shape
and the snapshot values older rows hold, in words.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime, time
from itertools import chain
from typing import Any

import sqlalchemy as sa
from flask import Flask, g, has_app_context, has_request_context
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from . import listings
from .models import (
    AuditEvent,
    CoverageArea,
    Location,
    Organization,
    Service,
    ServiceLanguage,
    Term,
    User,
    WeeklySession,
    utcnow,
)

AUDITED: dict[type, str] = {Service: "service", Location: "location", Organization: "organization",
                            User: "user"}
SKIP = {"created_at", "updated_at", "version", "last_login_at", "session_version", "id"}
SECRET = {"password_hash"}
ACTION_KEY = "audit.action"


@contextmanager
def acting_as(label: str, user_id: int | None = None) -> Iterator[None]:
    """Record changes made inside this block as made by `label` (e.g. "command line")."""
    previous = g.get("audit_actor")
    g.audit_actor = (user_id, label)
    try:
        yield
    finally:
        g.audit_actor = previous


def mark(session: Session, action: str, note: str = "") -> None:
    """Name what this transaction does ("approve", "pause", ...) instead of plain "update"."""
    session.info[ACTION_KEY] = (action, note)


def actor() -> tuple[int | None, str]:
    if has_app_context() and g.get("audit_actor"):
        return g.audit_actor  # type: ignore[no-any-return]
    if has_request_context():
        from flask_login import current_user

        if current_user and current_user.is_authenticated:
            return current_user.id, current_user.email
        return None, "a member of the public"
    import click

    command = click.get_current_context(silent=True)
    if command is not None:  # `directory import-hsds ...`: name the command
        return None, f"command line ({command.info_name})"
    return None, "system"


def plain(value: Any) -> Any:
    """A column value as JSON."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def _item(obj: Any) -> str:
    if isinstance(obj, Term):
        return f"{plain(obj.taxonomy)}:{obj.code}"
    if isinstance(obj, ServiceLanguage):
        return obj.code
    if isinstance(obj, CoverageArea):
        return obj.outward_code
    if isinstance(obj, WeeklySession):
        where = f" at {obj.location.name}" if obj.location is not None else ""
        return f"{plain(obj.day)} {_hhmm(obj.starts_at)}-{_hhmm(obj.ends_at)}{where}"
    if isinstance(obj, Location | Organization):
        return obj.name
    return str(obj)


def _hhmm(value: time | None) -> str:
    return value.strftime("%H:%M") if value else "?"


def _changes(obj: Any, creating: bool) -> dict[str, list[Any]]:
    state = inspect(obj)
    found: dict[str, list[Any]] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in SKIP:
            continue
        history = state.attrs[key].history
        if creating:
            value = getattr(obj, key)
            if value is not None and value != "" and key not in SECRET:
                found[key] = [None, plain(value)]
            continue
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if plain(old) == plain(new):
            continue
        found[key] = ["(hidden)", "(changed)"] if key in SECRET else [plain(old), plain(new)]
    for rel in state.mapper.relationships:
        if not rel.uselist or rel.key in ("services", "members"):
            continue
        history = state.attrs[rel.key].history
        if not (history.added or history.deleted):
            continue
        kept = [_item(o) for o in history.unchanged]
        old = sorted(kept + [_item(o) for o in history.deleted])
        new = sorted(kept + [_item(o) for o in history.added])
        if old != new:
            found[rel.key] = [old, new]
    return found


def _label(obj: Any) -> str:
    return str(getattr(obj, "name", None) or getattr(obj, "email", None) or "")[:200]


def _record(session: Session, _context: Any) -> None:
    action, note = session.info.get(ACTION_KEY, (None, ""))
    who_id, who = actor()
    rows: list[dict[str, Any]] = []
    at = utcnow()
    touched_sessions: dict[int, list[str]] = {}
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, WeeklySession) and obj in session.dirty and obj.service_id:
            changes = _changes(obj, creating=False)
            if changes:
                touched_sessions.setdefault(obj.service_id, []).append(_item(obj))
            continue
        kind = AUDITED.get(type(obj))
        if kind is None:
            continue
        creating = obj in session.new
        deleting = obj in session.deleted
        changes = {} if deleting else _changes(obj, creating)
        if not (creating or deleting or changes):
            continue
        rows.append({
            "at": at, "actor_id": who_id, "actor": who[:254], "entity": kind,
            "entity_id": obj.id, "label": _label(obj),
            "action": "create" if creating else "delete" if deleting else (action or "update"),
            "changes": changes, "note": note,
        })
    for service_id, items in touched_sessions.items():
        if not any(r["entity"] == "service" and r["entity_id"] == service_id for r in rows):
            rows.append({"at": at, "actor_id": who_id, "actor": who[:254], "entity": "service",
                         "entity_id": service_id, "label": "", "action": action or "update",
                         "changes": {"sessions": [None, sorted(items)]}, "note": note})
    if rows:
        session.connection().execute(sa.insert(AuditEvent.__table__), rows)  # type: ignore[arg-type]


def record(session: Session, entity: str, entity_id: int, label: str, action: str,
           note: str = "", changes: dict[str, Any] | None = None) -> None:
    """An event that is not a field change (a rejected change, a report): added to the session."""
    who_id, who = actor()
    session.add(AuditEvent(actor_id=who_id, actor=who[:254], entity=entity, entity_id=entity_id,
                           label=label[:200], action=action, changes=changes or {}, note=note))


# --- one shape of value ---------------------------------------------------------------------------
#
# Every row holds a field's values as the model holds them, whichever way the change came:
# columns as plain JSON, and a listing's lists as `_item` writes them ("sp-activity:walking",
# "tue 10:00-11:30 at Fenham Hall", venue names, language and district codes), under the
# model's names (terms, language_rows, coverage_rows). A change waiting for approval is not
# in the model yet, so `snapshot_changes` turns its snapshot into the same shape. Rows written
# before that held snapshot values; `describe` still reads them.

LABELS = {
    **listings.LABELS, "status": "Status", "last_verified": "Last checked", "terms": "Terms",
    "language_rows": "Languages", "coverage_rows": "Home visits cover", "organization_id": "Group",
    "source": "Source", "public_id": "Id",
}
_SNAPSHOT_KEYS = {"languages": "language_rows", "coverage": "coverage_rows",
                  **{field: "terms" for field in listings.TERM_FIELDS}}
_SESSION_ITEM = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun) (\d\d:\d\d)-(\d\d:\d\d)(?: at (.+))?$")
_SECTIONS = {taxonomy.value: field for field, taxonomy in listings.TERM_FIELDS.items()}


def label(field: str) -> str:
    return LABELS.get(field, field.replace("_", " ").capitalize())


def _model_values(snap: Mapping[str, Any], venue_names: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field, value in snap.items():
        if field in listings.TERM_FIELDS:
            taxonomy = listings.TERM_FIELDS[field].value
            out.setdefault("terms", []).extend(f"{taxonomy}:{code}" for code in value or [])
        elif field in _SNAPSHOT_KEYS:
            out[_SNAPSHOT_KEYS[field]] = sorted(value or [])
        elif field == "locations":
            out[field] = sorted(venue_names.get(v, v) for v in value or [])
        elif field == "sessions":
            out[field] = sorted(
                f"{s['day']} {s['starts']}-{s['ends']}"
                + (f" at {venue_names.get(s['location'], s['location'])}" if s.get("location")
                   else "")
                for s in value or [])
        else:
            out[field] = plain(value)
    if "terms" in out:
        out["terms"] = sorted(out["terms"])
    return out


def snapshot_changes(before: Mapping[str, Any], after: Mapping[str, Any],
                     venue_names: Mapping[str, str]) -> dict[str, list[Any]]:
    """The changed fields of a listing snapshot, as [old, new] in the automatic rows' shape."""
    fields = set(listings.changed_fields(before, after))
    if fields & set(listings.TERM_FIELDS):  # the model holds all of a listing's terms in one list
        fields |= set(listings.TERM_FIELDS)
    old = _model_values({f: before.get(f) for f in fields}, venue_names)
    new = _model_values({f: after.get(f) for f in fields}, venue_names)
    return {key: [old.get(key), value] for key, value in sorted(new.items())
            if old.get(key) != value}


def venue_ids(events: Iterable[AuditEvent]) -> set[str]:
    """Venue public ids in older rows' snapshot values (newer rows hold venue names)."""
    found: set[str] = set()
    for e in events:
        for field, pair in (e.changes or {}).items():
            if field in ("locations", "sessions") and isinstance(pair, list):
                for value in pair:
                    for item in value or []:
                        if isinstance(item, str):
                            found.add(item)
                        elif isinstance(item, dict) and item.get("location"):
                            found.add(item["location"])
    return found


def describe(field: str, value: Any, vocab: Any, venue_names: Mapping[str, str]) -> str:
    """One recorded value in words, in either shape ("Tuesday 10:00 to 11:30 at Fenham Hall")."""
    if value is None or value == "" or value == []:
        return "(none)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if not isinstance(value, list):
        return str(value)
    try:
        if field == "terms":
            return ", ".join(_term_words(str(item), vocab) for item in value)
        if field == "sessions" and all(isinstance(s, str) for s in value):
            return "; ".join(_session_words(s) for s in value)
        if field in listings.FIELDS:  # a snapshot's list (rows from before the one shape)
            return listings.describe(field, value, vocab, venue_names)
    except (KeyError, TypeError, AttributeError):
        pass  # recorded in a shape of its own: show it as it is
    return ", ".join(str(v) for v in value)


def _term_words(item: str, vocab: Any) -> str:
    taxonomy, _, code = item.partition(":")
    section = _SECTIONS.get(taxonomy)
    return str(vocab.label(section, code)) if section else item


def _session_words(item: str) -> str:
    m = _SESSION_ITEM.match(item)
    if m is None:
        return item
    day, starts, ends, where = m.groups()
    return f"{listings.DAY_NAMES[day]} {starts} to {ends}" + (f" at {where}" if where else "")


def history(session: Session, entity: str, entity_id: int) -> list[AuditEvent]:
    """Everything recorded about one thing, newest first."""
    return list(session.scalars(
        sa.select(AuditEvent).where(AuditEvent.entity == entity, AuditEvent.entity_id == entity_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    ))


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _refuse(*_args: Any) -> None:
    raise PermissionError("The audit trail cannot be changed")


def _forget(session: Session) -> None:
    session.info.pop(ACTION_KEY, None)


def init_app(app: Flask) -> None:
    sessions = app.extensions["db"].sessions
    event.listen(sessions, "after_flush", _record)
    event.listen(sessions, "after_commit", _forget)
    event.listen(sessions, "after_rollback", _forget)
