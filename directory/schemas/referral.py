"""The Link Worker's referral form: every field checked, every bad one named at once."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from .. import freshness, plaintext
from ..models import ContactMethod

_PHONE = re.compile(r"^(?:\+44|0)[0-9]{9,10}$")
_MOBILE = re.compile(r"^(?:\+447|07)[0-9]{9}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class ReferralError(ValueError):
    """Invalid referral data: `errors` maps each form field to its messages."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = dict(errors)


def _one_line(text: str) -> None:
    if (problem := plaintext.single_line_problem(text)) is not None:
        raise ValidationError(problem)


def _text_ok(text: str) -> None:
    if (problem := plaintext.multi_line_problem(text)) is not None:
        raise ValidationError(problem)
    if plaintext.TAG.search(text):
        raise ValidationError("Write plain text: remove the HTML tags (anything like <b>)")


class ReferralIn(Schema):
    person_name = fields.String(required=True, validate=[
        validate.Length(min=1, max=60, error="Enter their first name or initials, up to 60 "
                                             "characters"), _one_line, _text_ok],
        error_messages={"required": "Enter their first name or initials"})
    contact_method = fields.String(required=True, validate=validate.OneOf(
        [m.value for m in ContactMethod], error="Choose how they would like to be contacted"),
        error_messages={"required": "Choose how they would like to be contacted"})
    contact = fields.String(load_default="", validate=[validate.Length(
        max=254, error="Use 254 characters or fewer"), _one_line])
    note = fields.String(load_default="", validate=[validate.Length(
        max=1000, error="Keep the note to 1000 characters or fewer"), _text_ok])
    first_session = fields.String(load_default="")
    meet_at_door = fields.Boolean(load_default=False, truthy={"y", "yes", "on", "1", "true"},
                                  falsy={"", "n", "no", "0", "false"},
                                  error_messages={"invalid": "Tick the box or leave it"})
    consent = fields.String(load_default="")

    @validates_schema(skip_on_field_errors=False)
    def _rules(self, data: dict[str, Any], **_: Any) -> None:
        errors: dict[str, list[str]] = {}
        method, contact = data.get("contact_method"), (data.get("contact") or "").strip()
        digits = re.sub(r"[\s()-]", "", contact)
        if method in ("phone", "text", "email") and not contact:
            errors["contact"] = [{"phone": "Enter the phone number the group should call",
                                  "text": "Enter the mobile number the group should text",
                                  "email": "Enter the email address the group should write to",
                                  }[method]]
        elif method == "phone" and not _PHONE.match(digits):
            errors["contact"] = ["Enter a UK phone number, like 0191 498 0123"]
        elif method == "text" and not _MOBILE.match(digits):
            errors["contact"] = ["Enter a UK mobile number, like 07700 900123"]
        elif method == "email" and not _EMAIL.match(contact):
            errors["contact"] = ["Enter an email address like name@example.org"]
        elif method == "link_worker" and contact:
            errors["contact"] = ["Leave this empty: the group will contact them through you"]
        first = (data.get("first_session") or "").strip()
        if first:
            try:
                day = date.fromisoformat(first)
            except ValueError:
                errors["first_session"] = ["Enter the date as a real date, like 2027-01-14"]
            else:
                today = freshness.today()
                if day < today:
                    errors["first_session"] = ["The first session cannot be in the past"]
                elif day > today + timedelta(days=366):
                    errors["first_session"] = ["Choose a session within the next year"]
        if data.get("consent") != "y":
            errors["consent"] = ["Confirm you read the statement to them and they agreed"]
        if errors:
            raise ValidationError(errors)


REFERRAL_IN = ReferralIn()
FORM_FIELDS = ("person_name", "contact_method", "contact", "note", "first_session",
               "meet_at_door", "consent")


def load_form(form: Mapping[str, str]) -> dict[str, Any]:
    """The clean referral from the form, or ReferralError naming every bad field."""
    raw = {k: (form.get(k) or "").strip() for k in FORM_FIELDS}
    try:
        data: dict[str, Any] = REFERRAL_IN.load(raw)
    except ValidationError as err:
        messages = err.normalized_messages()
        raise ReferralError({k: _flat(v) for k, v in messages.items()
                             if k in FORM_FIELDS} or {"person_name": ["Check the form"]}) from err
    data["contact"] = data["contact"].strip() if data["contact_method"] != "link_worker" else ""
    data["first_session"] = (date.fromisoformat(data["first_session"])
                             if data["first_session"] else None)
    return data


def _flat(messages: Any) -> list[str]:
    if isinstance(messages, dict):
        return [m for v in messages.values() for m in _flat(v)]
    if isinstance(messages, list):
        return [m for v in messages for m in _flat(v)]
    return [str(messages)]
