"""Passwords (argon2id), random tokens, keyed pseudonyms and spreadsheet-safe cells."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

# argon2-cffi's defaults follow RFC 9106's second recommendation (64 MiB, 3 passes).
_HASHER = PasswordHasher(type=Type.ID)
# Verified when the e-mail is unknown, so a wrong address takes as long as a wrong password.
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))

MIN_PASSWORD_LENGTH = 12
# Leading characters that make Excel, LibreOffice or Sheets read a cell as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Tell whether a password matches its hash (in constant time for unknown accounts)."""
    try:
        return _HASHER.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Tell whether a hash was made with weaker parameters than today's."""
    return _HASHER.check_needs_rehash(password_hash)


def new_token() -> str:
    """Return a fresh random token for a cookie or a form."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """Return the hash under which a session token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same_token(given: str | None, expected: str) -> bool:
    """Compare a submitted token with the expected one in constant time."""
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def pseudonym(key: bytes, resident_id: int) -> str:
    """Return a resident's stable pseudonym: a keyed hash nobody can reverse without the key."""
    digest = hmac.new(key, f"resident:{resident_id}".encode(), hashlib.sha256).hexdigest()
    return f"R-{digest[:10]}"


def safe_cell(value: object) -> object:
    """Neutralise a CSV cell a spreadsheet would run as a formula (OWASP's advice)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
