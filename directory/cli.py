"""The `directory` command. Each command body is short and calls the same code as the web."""

from __future__ import annotations

import getpass
import json
import sys
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any, NoReturn, TextIO

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, ScriptInfo, pass_script_info, with_appcontext
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from . import audit, create_app, search, vocabulary
from .config import ROOT
from .db import get_database, get_session
from .geocoding import GeocodingError
from .geocoding import current as current_geocoder
from .models import Organization, Role, Service

# accounts, backup, migrate (alembic) and seed are imported by the commands that use them:
# `directory match` should not wait for what only other commands need.

# Commands that need no web pages, sign-in or API: their app leaves them out, and starts
# in about half the time.
NO_PAGES = frozenset({"match"})


def _create_app() -> Flask:
    command = click.get_current_context(silent=True)
    return create_app(pages=command is None or command.info_name not in NO_PAGES)


class DirectoryGroup(FlaskGroup):
    """Flask's command group without what belongs to `flask` itself: its --app, --env-file,
    --debug and --version options and commands plugged in by extensions (Flask-Limiter's
    `limiter`), none of which the directory's users need or the README describes."""

    def __init__(self, **extra: object) -> None:
        super().__init__(add_default_commands=False, add_version_option=False,
                         **extra)  # type: ignore[arg-type]
        self.params = [p for p in self.params if p.name not in ("app", "env_file", "debug")]

    def _load_plugin_commands(self) -> None:
        self._loaded_plugin_commands = True

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self.commands)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return self.commands.get(name)


@click.group(cls=DirectoryGroup, create_app=_create_app)
def cli() -> None:
    """Social prescribing directory: set up, load, serve and check the directory."""


def _add_referral_commands() -> None:
    from .referral_commands import COMMANDS

    for command in COMMANDS:
        cli.add_command(command)


_add_referral_commands()


def main() -> None:
    try:
        cli(prog_name="directory")
    except DBAPIError as err:  # any command: one line, never a traceback
        reason = str(err.orig).strip().splitlines()[0] if err.orig else str(err)
        _fail(f"database error: {reason} (is DIRECTORY_DATABASE_URL right, and has "
              "`directory init` been run?)")


def _fail(message: str, code: int = 1) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


@cli.command("init")
@with_appcontext
def init_command() -> None:
    """Create or upgrade the database schema and load the vocabulary (never demo data)."""
    from . import migrate

    try:
        migrate.upgrade(get_database().engine)
    except Exception as err:  # noqa: BLE001 - one line, not a traceback
        _fail(f"could not create or upgrade the database: {err}")
    session = get_session()
    changed = vocabulary.sync_terms(session, vocabulary.current())
    session.commit()
    click.echo(f"Database ready at revision {migrate.head_revision(get_database().engine)}; "
               f"{changed} vocabulary terms added or updated.")


@cli.command("seed")
@click.option("--if-empty", is_flag=True, help="Only load when the directory has no services.")
@with_appcontext
def seed_command(if_empty: bool) -> None:
    """Load the demo catalogue and demo accounts; loading twice loads them once."""
    from . import accounts, seed

    session = get_session()
    if if_empty and session.scalar(select(Service.id).limit(1)) is not None:
        click.echo("The directory already has services; demo data not loaded.")
        return
    try:
        catalogue = seed.read_catalogue(ROOT / "seed_data" / "demo")
        report = seed.load_catalogue(session, catalogue, source="demo")
    except (seed.SeedError, accounts.AccountError) as err:
        _fail(str(err))
    session.commit()
    click.echo(f"Demo catalogue: {report.created} services added, {report.unchanged} already "
               f"present; {report.users_created} demo accounts added.")


@cli.command("reindex")
@with_appcontext
def reindex_command() -> None:
    """Rebuild the search index from the database into a new folder and swap it in."""
    count = search.rebuild_all(current_app._get_current_object())  # type: ignore[attr-defined]
    click.echo(f"Search index rebuilt with {count} services.")


@cli.command("check")
@with_appcontext
def check_command() -> None:
    """Check the database is reachable, migrations are current and the index matches."""
    from . import migrate

    engine = get_database().engine
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as err:  # noqa: BLE001
        _fail(f"database unreachable: {str(err).splitlines()[0]}")
    current, head = migrate.current_revision(engine), migrate.head_revision(engine)
    if current != head:
        _fail(f"database is at revision {current or 'none'}, code expects {head}: "
              "run `directory init`")
    try:
        drift = search.check(current_app._get_current_object())  # type: ignore[attr-defined]
    except search.IndexMissing as err:
        _fail(f"{err}; searches use the simpler database search until you run "
              "`directory reindex`")
    except Exception as err:  # noqa: BLE001 - a damaged index fails in many ways
        _fail(f"search index cannot be read ({type(err).__name__}: {err}); searches use the "
              "simpler database search until you run `directory reindex`")
    if not drift.clean:
        _fail(f"search index differs from the database ({drift.summary()}): "
              "run `directory reindex`")
    click.echo(f"OK: database reachable, schema at {head}, search index in step.")


@cli.command("backup")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(out: Path) -> None:
    """Copy the SQLite database to OUT, safely while the directory is serving.

    For PostgreSQL use pg_dump (the command says how)."""
    from . import backup

    try:
        found = backup.backup(get_database().engine, out)
    except backup.NotSQLite as err:
        _fail(str(err), 2)
    except backup.BackupError as err:
        _fail(str(err))
    click.echo(f"Backed up {found.services} services (schema {found.revision}, "
               f"{found.size_bytes / 1e6:.1f} MB) to {found.path}.")


@cli.command("restore")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--no-reindex", is_flag=True, help="Leave the search index for `directory reindex`.")
@with_appcontext
def restore_command(source: Path, no_reindex: bool) -> None:
    """Replace the database with the backup SOURCE, then rebuild the search index.

    SOURCE must be a backup of this directory (any schema revision this version knows; an
    older one is migrated forward). The database as it was is kept beside it, as
    <database>.before-restore. Safe while the directory is serving."""
    from . import backup, migrate

    engine = get_database().engine
    try:
        live = backup.database_file(engine)
        found = backup.restore(engine, source, keep_previous=live.with_name(
            live.name + ".before-restore"))
    except (backup.NotSQLite, backup.InvalidBackup) as err:
        _fail(str(err), 2)
    except backup.BackupError as err:
        _fail(str(err))
    click.echo(f"Restored {found.services} services from {found.path} (schema "
               f"{found.revision}, now {migrate.current_revision(engine)}); the database as "
               f"it was is in {live.name}.before-restore.")
    if no_reindex:
        click.echo("Run `directory reindex` now: the search index still shows the old data.")
        return
    count = search.rebuild_all(current_app._get_current_object())  # type: ignore[attr-defined]
    click.echo(f"Search index rebuilt with {count} services.")


@cli.command("geocode")
@click.argument("place", nargs=-1, required=True)
@with_appcontext
def geocode_command(place: tuple[str, ...]) -> None:
    """Print the position of a postcode, outward code or place name, offline.

    Exits with 2 when PLACE is empty, not a postcode, or not a place we know."""
    wanted = " ".join(place).strip()
    if not wanted:
        _fail("give a postcode, outward code or place name", 2)
    try:
        found = current_geocoder().resolve(wanted)
    except GeocodingError as err:
        _fail(str(err), 2)
    click.echo(f"{found.latitude:.5f} {found.longitude:.5f}  {found.label} ({found.kind})")


@cli.command("create-user")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--org", "org_ids", multiple=True, help="Organisation id (providers); repeatable.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create_user_command(email: str, role: str, org_ids: tuple[str, ...],
                        password_stdin: bool) -> None:
    """Create an account; asks for the password without echoing it."""
    from . import accounts

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Password again: ") != password:
            _fail("the passwords do not match", 2)
    session = get_session()
    orgs = []
    for org_id in org_ids:
        org = session.scalar(select(Organization).where(Organization.public_id == org_id))
        if org is None:
            _fail(f"--org: no organisation with id {org_id}", 2)
        orgs.append(org)
    try:
        user = accounts.create_user(session, email, password, role, orgs)
    except accounts.AccountError as err:
        _fail(f"{err.field}: {err.message}", 2)
    session.commit()
    click.echo(f"Created {user.role.value} account {user.email}.")


@cli.command("match")
@click.argument("profile_file", type=click.File(encoding="utf-8"))
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Match as of this date.")
@click.option("--explain", is_flag=True,
              help="Print every signal's contribution for each suggestion and notable exclusion.")
@with_appcontext
def match_command(profile_file: TextIO, today: datetime | None, explain: bool) -> None:
    """Print the match for PROFILE_FILE as JSON, exactly as POST /api/v1/match would."""
    from marshmallow import ValidationError

    try:
        payload = json.load(profile_file)
        day = today.date() if today else None
        click.echo(_explained(payload, day) if explain else
                   json.dumps(_matched(payload, day), indent=2, ensure_ascii=False))
    except json.JSONDecodeError as err:
        click.echo(json.dumps({"errors": {"_json": [f"Not valid JSON: {err}"]}}), err=True)
        sys.exit(2)
    except ValidationError as err:
        click.echo(json.dumps({"errors": err.normalized_messages()}), err=True)
        sys.exit(2)


def _matched(payload: object, day: date | None) -> dict[str, Any]:
    from .api.match import match_json

    return match_json(payload, day)


def _explained(payload: object, day: date | None) -> str:
    """The match for payload with every signal's contribution, as `match --explain` prints it."""
    import matcher

    from . import freshness
    from .matching import run_match
    from .schemas.match import load_profile

    profile = load_profile(payload, vocabulary.current(), current_geocoder())
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    result = run_match(app, get_session(), profile, day or freshness.today())
    return matcher.explain_text(result)


# No app context around the server: requests inside one would share its `g` (the signed-in
# user, the CSRF token and the database session) across every visitor.
@cli.command("serve", with_appcontext=False)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
@pass_script_info
def serve_command(info: ScriptInfo, host: str, port: int, workers: int) -> None:
    """Serve the directory with gunicorn (a production WSGI server)."""
    from .server import serve

    app = info.load_app()
    click.echo(f"Serving the directory at http://{host}:{port}/  (Ctrl+C to stop)")
    serve(app, host, port, workers, control_socket=Path(app.instance_path) / "gunicorn.ctl")


MAX_WARNINGS = 100  # what an import left out of the records it kept; the rest are counted


@cli.command("import-hsds")
@click.argument("source")
@click.option("--batch-size", default=1000, show_default=True, type=click.IntRange(1, 10_000),
              help="Services written and committed together.")
@with_appcontext
def import_hsds_command(source: str, batch_size: int) -> None:
    """Import HSDS services from SOURCE: a JSON file (a list of services or a page of them) or
    the base URL of an HSDS API, whose pages are walked. Upserts by id."""
    from . import hsds

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    # An app may bring its own fetch(url) -> JSON (the tests serve an API without a network).
    fetch = app.extensions.get("hsds.fetch", hsds.fetch_json)
    try:
        feed = hsds.open_source(source, fetch=fetch)
        importer = hsds.Importer(get_session(), vocabulary.current(), hsds.source_label(source),
                                 locate=hsds.postcode_locator(current_geocoder()),
                                 batch_size=batch_size)
    except hsds.FeedError as err:
        _fail(str(err), 2)
    except hsds.VocabularyMissing as err:
        _fail(str(err))
    failed = None
    with click.progressbar(feed.items, length=feed.total, label="Importing services",
                           file=sys.stderr, show_pos=True,
                           hidden=feed.total is not None and feed.total <= batch_size) as items:
        try:
            importer.run(items)
        except (hsds.FeedError, hsds.ImportStopped) as err:
            failed = err
    report = importer.report
    for problem in report.warnings[:MAX_WARNINGS]:
        click.echo(f"Warning: {problem}", err=True)
    if len(report.warnings) > MAX_WARNINGS:
        click.echo(f"... and {len(report.warnings) - MAX_WARNINGS} more warnings (all in the "
                   "CSV report).", err=True)
    for problem in report.problems:
        click.echo(f"Skipped {problem}", err=True)
    _after_import(app, importer, source, feed.shape)
    click.echo(f"HSDS import from {source} ({feed.shape}): {report.summary()}.")
    if failed is not None:
        _fail(f"the import stopped part way: {failed}",
              2 if isinstance(failed, hsds.FeedError) else 1)
    if report.skipped:
        sys.exit(1)


def _after_import(app: Flask, importer: Any, source: str, shape: str) -> None:
    """Suggest tags for what was imported, write the CSV report, print the quality summary."""
    import sqlalchemy as sa

    from . import freshness, suggest
    from .hsds import quality
    from .models import Service

    session, report = get_session(), importer.report
    ids = list(session.scalars(sa.select(Service.id).where(
        Service.public_id.in_(report.imported_ids)))) if report.imported_ids else []
    with audit.acting_as("command line (import)"):
        tagged = suggest.run_suggestions(session, ids)
    csv_path = Path(app.instance_path) / "import-reports" / (
        f"{_slug(source)}-{datetime.now():%Y%m%d-%H%M%S}.csv")
    quality.write_problems(csv_path, report.problems, report.warnings, report.changes)
    if report.changes:
        changed = Counter(p.field for p in report.changes)
        click.echo("What the updates changed (services, by field; each in the CSV report): "
                   + ", ".join(f"{k} ({n})" for k, n in sorted(changed.items())) + ".")
    if report.unused:
        fields = ", ".join(f"{k} ({n})" for k, n in sorted(report.unused.items()))
        click.echo(f"Fields the directory cannot use, left out: {fields}.")
    click.echo(f"Suggested tags: {tagged.suggested} new, {tagged.applied} used at once "
               "(marked suggested, for review).")
    for line in quality.quality(session, importer.source, freshness.today()).lines():
        click.echo(line)
    click.echo(f"Every skipped record and warning (id, field, reason): {csv_path}")


def _slug(source: str) -> str:
    name = Path(source.rstrip("/")).name or "feed"
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in name)[:60]


@cli.command("suggest-tags")
@click.option("--all", "everything", is_flag=True, help="Every service (the default).")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Only services changed on or after this day.")
@with_appcontext
def suggest_tags_command(everything: bool, since: datetime | None) -> None:
    """Suggest vocabulary tags for services from their words and other taxonomies' terms."""
    import sqlalchemy as sa

    from . import suggest
    from .models import Service

    session = get_session()
    query = sa.select(Service.id).order_by(Service.id)
    if since is not None and not everything:
        query = query.where(Service.updated_at >= since)
    with audit.acting_as("command line"):
        report = suggest.run_suggestions(session, list(session.scalars(query)))
    click.echo(f"{report.services} services: {report.suggested} new suggestions, "
               f"{report.applied} used at once, {report.withdrawn} withdrawn.")


@cli.command("mark-import-checked")
@click.argument("source")
@with_appcontext
def mark_import_checked_command(source: str) -> None:
    """Confirm every service imported from SOURCE (a file or URL, as imported) as checked today."""
    from . import freshness
    from .hsds import quality, source_label

    session = get_session()
    with audit.acting_as("command line"):
        count = quality.mark_checked(session, source_label(source), freshness.today())
        session.commit()
    if not count:
        _fail(f"no services were imported from {source}", 2)
    click.echo(f"Marked {count} services from {source} as checked today.")


@cli.command("export-hsds")
@click.argument("out", type=click.File("w", encoding="utf-8", atomic=True))
@with_appcontext
def export_hsds_command(out: TextIO) -> None:
    """Write every published service to OUT as fully nested HSDS JSON ("-": standard output)."""
    from . import hsds

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    count = hsds.write_export(get_session(), app, out)
    click.echo(f"Exported {count} services as HSDS to {out.name}.", err=out.name == "<stdout>")


@cli.command("remind-stale")
@click.option("--dry-run", is_flag=True, help="Print who would be sent what; send nothing.")
@with_appcontext
def remind_stale_command(dry_run: bool) -> None:
    """Email each provider one message listing their active listings not checked for 6 months,
    each with a signed link (valid 14 days) that confirms it without signing in."""
    from . import audit, freshness, reminders

    base_url = str(current_app.config["BASE_URL"])
    session = get_session()
    with audit.acting_as("command line"):
        due = reminders.due(session, freshness.today())
        if dry_run:
            for reminder in due:
                names = "; ".join(s.name for s in reminder.services)
                click.echo(f"Would remind {reminder.user.email} about "
                           f"{len(reminder.services)}: {names}")
            click.echo(f"Dry run: {len(due)} messages would be sent; nothing was sent.")
            return
        outcome = reminders.send(session, due, base_url)
        session.commit()
    for reminder, reason in outcome.failed:
        click.echo(f"Could not send to {reminder.user.email}: {reason}", err=True)
    click.echo(f"Sent {len(outcome.sent)} reminder messages.")
    if outcome.failed:
        _fail(f"{len(outcome.failed)} messages could not be sent")
