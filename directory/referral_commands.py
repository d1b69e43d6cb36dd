"""The referral commands of `directory`: reminders, erasure after retention, key rotation."""

from __future__ import annotations

import sys

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from . import audit, sealed
from .db import get_session

# directory.referrals (with mail and the referral form's schema) is imported by the commands
# that use it: every `directory` command, `match` among them, registers these.


@click.command("remind-referrals")
@click.option("--dry-run", is_flag=True, help="Print what would be sent; send nothing.")
@with_appcontext
def remind_referrals_command(dry_run: bool) -> None:
    """Remind Link Workers of referrals with no answer after 5 working days, and tell the
    admins after 10 (REFERRAL_REMIND_DAYS, REFERRAL_ESCALATE_DAYS); each once."""
    from . import referrals

    config = current_app.config
    session = get_session()
    with audit.acting_as("command line (remind-referrals)"):
        outcome = referrals.remind(
            session, referrals.now(), str(config["BASE_URL"]),
            int(config["REFERRAL_REMIND_DAYS"]), int(config["REFERRAL_ESCALATE_DAYS"]),
            dry_run=dry_run)
        if not dry_run:
            session.commit()
    verb = "Would send" if dry_run else "Sent"
    click.echo(f"{verb} {len(outcome.reminded)} reminders to Link Workers and "
               f"{len(outcome.escalated)} to admins.")
    if outcome.failed:
        click.echo(f"Error: {outcome.failed} messages could not be sent", err=True)
        sys.exit(1)


@click.command("erase-referrals")
@with_appcontext
def erase_referrals_command() -> None:
    """Erase the personal fields of referrals closed more than REFERRAL_RETENTION_DAYS ago
    (default 90), keeping their status and dates for the counts."""
    from . import referrals

    days = int(current_app.config["REFERRAL_RETENTION_DAYS"])
    session = get_session()
    with audit.acting_as("command line (erase-referrals)"):
        count = referrals.erase_expired(session, referrals.now(), days)
        session.commit()
    click.echo(f"Erased the personal details of {count} referrals closed more than {days} "
               "days ago.")


SEALED_COLUMNS = {"referrals": ("person_name", "contact", "note", "decline_reason"),
                  "referral_messages": ("body",)}


@click.command("rotate-referral-keys")
@with_appcontext
def rotate_referral_keys_command() -> None:
    """Re-encrypt every sealed referral field with the first of REFERRAL_KEYS."""
    session = get_session()
    conn = session.connection()
    count = 0
    for name, columns in SEALED_COLUMNS.items():
        # Untyped columns: the stored tokens as they are, never opened into plaintext here.
        table = sa.table(name, sa.column("id"), *(sa.column(c) for c in columns))
        for row in conn.execute(sa.select(table)).all():
            values = {c: sealed.rotate(v) for c, v in zip(columns, row[1:], strict=True) if v}
            if values:
                conn.execute(sa.update(table).where(table.c.id == row[0]).values(values))
                count += 1
    session.commit()
    click.echo(f"Re-encrypted {count} rows with the first key.")


COMMANDS = (remind_referrals_command, erase_referrals_command, rotate_referral_keys_command)
