"""Sending a plan's link to the person: by text message or email through GOV.UK Notify, or,
with no Notify key set, into the instance's outbox folder (as mail does without SMTP).

The phone number or address is used to send and then forgotten: it is never written to the
database, the audit trail, the log or the outbox (which shows only its last three digits or
its domain)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from .models import utcnow

KINDS = {"sms": "text message", "email": "email"}
_MOBILE = re.compile(r"^(?:\+?44|0)7\d{9}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class NotSent(Exception):
    """Notify refused or could not be reached; the message says what to do."""


@dataclass(frozen=True)
class Message:
    kind: str  # "sms" or "email"
    to: str
    link: str
    code: str
    expires: str  # "3 March 2027"

    @property
    def body(self) -> str:
        return (f"Your plan from your Link Worker: {self.link}\n"
                f"Plan code {self.code}. The link works until {self.expires}.")


def check_recipient(kind: str, raw: str) -> tuple[str | None, str | None]:
    """(the number or address to send to, None) or (None, an error naming the field)."""
    text = (raw or "").strip()
    if kind == "sms":
        digits = re.sub(r"[\s()-]", "", text)
        if not digits:
            return None, "Enter a mobile phone number to send the text message to"
        if not _MOBILE.match(digits):
            return None, "Enter a UK mobile phone number, like 07700 900123"
        return digits, None
    if kind == "email":
        if not text:
            return None, "Enter an email address to send the plan to"
        if len(text) > 254 or not _EMAIL.match(text):
            return None, "Enter an email address in the right format, like name@example.com"
        return text, None
    return None, "Choose text message or email"


def masked(message: Message) -> str:
    if message.kind == "sms":
        return "mobile ending " + message.to[-3:]
    return "an address at " + message.to.rsplit("@", 1)[-1]


def send(message: Message) -> Path | None:
    """Send through Notify; without a key, write to the outbox and return the file."""
    config = current_app.config
    key = config.get("NOTIFY_API_KEY")
    personalisation = {"link": message.link, "code": message.code, "expires": message.expires}
    if key:
        from notifications_python_client.errors import APIError
        from notifications_python_client.notifications import NotificationsAPIClient

        client = NotificationsAPIClient(key, timeout=10)
        try:
            if message.kind == "sms":
                client.send_sms_notification(message.to, config["NOTIFY_SMS_TEMPLATE_ID"],
                                             personalisation=personalisation)
            else:
                client.send_email_notification(message.to, config["NOTIFY_EMAIL_TEMPLATE_ID"],
                                               personalisation=personalisation)
        except APIError as err:
            raise NotSent(f"GOV.UK Notify did not send it ({err.status_code}). "
                          "Check the number or address, or give them the printed code.") from None
        except OSError:
            raise NotSent("GOV.UK Notify could not be reached. Try again, or give them the "
                          "printed code.") from None
        return None
    outbox = Path(config["OUTBOX_DIR"])
    outbox.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
    path = outbox / f"{stamp}-plan.{message.kind}"
    path.write_text(f"To: {masked(message)}\nBy: {KINDS[message.kind]}\n\n{message.body}\n",
                    encoding="utf-8")
    return path
