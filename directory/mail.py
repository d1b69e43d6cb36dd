"""Outgoing mail: through SMTP when DIRECTORY_MAIL_SERVER is set, otherwise into the instance's
outbox folder as .eml files, so that reminders work (and are tested) with no mail server."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app

from .models import utcnow
from .plaintext import one_line


def send(to: str | list[str], subject: str, body: str) -> Path | None:
    """Send a plain-text message. Returns the outbox file when there is no SMTP server."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    # Header values are one line whatever was stored (a name saved before line breaks were
    # refused, say): the email library raises on a line break in a header.
    message["To"] = ", ".join(one_line(a) for a in ([to] if isinstance(to, str) else to))
    message["Subject"] = one_line(subject)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="directory.local")
    message.set_content(body)
    if config.get("MAIL_SERVER"):
        port = int(config.get("MAIL_PORT") or 25)
        with smtplib.SMTP(config["MAIL_SERVER"], port, timeout=20) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)
        return None
    outbox = Path(config["OUTBOX_DIR"])
    outbox.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
    path = outbox / f"{stamp}-{message['Message-ID'].strip('<>').split('@')[0]}.eml"
    path.write_bytes(bytes(message))
    return path


def outbox(folder: str | Path) -> list[EmailMessage]:
    """The messages in an outbox folder, oldest first (for tests and `directory` users)."""
    from email import policy
    from email.parser import BytesParser

    parser = BytesParser(policy=policy.default)
    return [parser.parsebytes(p.read_bytes()) for p in sorted(Path(folder).glob("*.eml"))]  # type: ignore[misc]
