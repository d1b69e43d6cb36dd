"""Password hashing with argon2id (argon2-cffi)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10
_hasher = PasswordHasher()
# Verified against when the email is unknown, so a wrong email costs as much time as a
# wrong password and the response time gives nothing away. Made with the current settings.
_dummy_hash: str | None = None


def configure(time_cost: int | None = None, memory_cost: int | None = None) -> None:
    """Set argon2's work factors (None: argon2-cffi's recommended defaults). Only the tests
    lower them, to keep hundreds of sign-ins fast; hashes made either way verify either way."""
    global _hasher, _dummy_hash
    defaults = PasswordHasher()
    wanted = PasswordHasher(time_cost=time_cost or defaults.time_cost,
                            memory_cost=memory_cost or defaults.memory_cost)
    if (wanted.time_cost, wanted.memory_cost) != (_hasher.time_cost, _hasher.memory_cost):
        _hasher, _dummy_hash = wanted, None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when password matches; always does the full amount of work."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash("not-a-real-password-for-timing")
    try:
        return _hasher.verify(password_hash or _dummy_hash, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    """Why a new password is not acceptable, or None."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters"
    if password.strip() != password or not password.strip():
        return "The password cannot start or end with spaces"
    return None
