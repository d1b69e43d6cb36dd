"""Default settings. Every key can be overridden by a DIRECTORY_<KEY> environment variable."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED_DATA = ROOT / "seed_data"


class Defaults:
    """Settings a fresh checkout runs with; deployments override them through the environment."""

    # Filled in from the instance folder when left empty.
    DATABASE_URL = ""
    SEARCH_INDEX_DIR = ""
    SECRET_KEY = ""
    OUTBOX_DIR = ""

    VOCABULARY_FILE = str(SEED_DATA / "vocabulary.yaml")
    GAZETTEER_FILE = str(SEED_DATA / "gazetteer.csv")
    SYNONYMS_FILE = str(SEED_DATA / "synonyms.yaml")
    DEMO_DATA_DIR = str(SEED_DATA / "demo")

    # Where ambiguous place names ("Denton", "Kenton") are resolved towards: the
    # directory's home area. Default: the centre of Newcastle upon Tyne.
    HOME_LATITUDE = 54.9733
    HOME_LONGITUDE = -1.614
    # Online geocoding (Nominatim) for exact positions: off by default, never in tests.
    ONLINE_GEOCODER = False
    ONLINE_GEOCODER_USER_AGENT = "social-prescribing-directory"

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Set DIRECTORY_PREFER_HTTPS=true behind HTTPS to mark cookies Secure.
    PREFER_HTTPS = False
    # How many reverse proxies (nginx, a load balancer) stand in front of the app: their
    # X-Forwarded-For/-Proto/-Host are trusted only then. 0: the headers are ignored.
    PROXY_COUNT = 0
    # The largest request body accepted (413 above it): forms and match profiles are small.
    MAX_CONTENT_LENGTH = 256 * 1024
    MAX_FORM_MEMORY_SIZE = 256 * 1024

    # Mail: SMTP when MAIL_SERVER is set, otherwise messages go to OUTBOX_DIR as .eml files.
    MAIL_SERVER = ""
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USERNAME = ""
    MAIL_PASSWORD = ""
    MAIL_FROM = "Community Support Directory <no-reply@directory.local>"
    # GOV.UK Notify, for sending a plan's link by text message or email. Without a key the
    # messages go to OUTBOX_DIR (text messages as .sms files), as mail does without SMTP.
    NOTIFY_API_KEY = ""
    NOTIFY_SMS_TEMPLATE_ID = ""  # a template with ((link)), ((code)) and ((expires))
    NOTIFY_EMAIL_TEMPLATE_ID = ""  # the same personalisation
    # The address links in emails start with (e.g. https://directory.example.org), for mail
    # sent from the command line where there is no request to take it from.
    BASE_URL = "http://127.0.0.1:5000"
    # Fix "today" (YYYY-MM-DD) for demonstrations and tests; empty means the real UK date.
    TODAY = ""
    # Count matches and fruitless searches, anonymously, for the insights page (insights.py).
    INSIGHTS_COUNTING = True
    INSIGHTS_FLUSH_SECONDS = 5.0  # counts are written together this long after the first
    # The matcher's candidates a worker keeps in memory (about 1.4 kB each); past this, a
    # match reads the rest from the database, and the longest kept are forgotten first.
    MATCH_CANDIDATES_KEPT = 200_000
    # Map tiles (Leaflet): OpenStreetMap's by default. The Content Security Policy allows
    # images from this address's host and no other; the attribution is shown on every map.
    MAP_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    MAP_ATTRIBUTION = ('&copy; <a href="https://www.openstreetmap.org/copyright">'
                       'OpenStreetMap</a> contributors')
    # Referrals (directory.referrals): Fernet keys, comma-separated, the first encrypting and
    # every one decrypting (see the README on rotation); empty means one generated into
    # <instance>/referral_key on first start.
    REFERRAL_KEYS = ""
    REFERRAL_RETENTION_DAYS = 90  # personal fields erased this long after a referral closes
    REFERRAL_REMIND_DAYS = 5  # working days without an answer before the Link Worker hears
    REFERRAL_ESCALATE_DAYS = 10  # ... and before the admins do
    REFERRAL_RATE_LIMIT = "30 per hour"  # referrals sent per address
    REPORT_RATE_LIMIT = "5 per hour"
    JOIN_RATE_LIMIT = "5 per hour"
    # "Forgot your password?": asks from one address, and for one email address from anywhere.
    RESET_RATE_LIMIT = "5 per hour"
    RESET_ACCOUNT_RATE_LIMIT = "3 per hour"

    # argon2id work factors; empty means argon2-cffi's recommended defaults. Tests lower them.
    ARGON2_TIME_COST = None
    ARGON2_MEMORY_COST = None

    # Failed sign-ins: per address, and per account (from any address). Both windows end, so
    # the right password works again after at most an hour, whoever was guessing.
    LOGIN_RATE_LIMIT = "5 per minute;20 per hour"
    LOGIN_ACCOUNT_RATE_LIMIT = "10 per 15 minutes"
    # Where limits count: empty means the app's database (shared by every worker; see
    # directory/auth/throttle.py), or e.g. redis://localhost:6379 or memory:// (one process).
    RATELIMIT_STORAGE_URI = ""
    RATELIMIT_HEADERS_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None


def instance_folder() -> Path:
    """The instance folder: DIRECTORY_INSTANCE, or ./instance in the working directory."""
    return Path(os.environ.get("DIRECTORY_INSTANCE", "instance")).resolve()


def load_or_create_secret(folder: Path) -> str:
    """Read the instance's secret key, creating it (owner-readable only) on first start."""
    path = folder / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    folder.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    return key
