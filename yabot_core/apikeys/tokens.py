"""The shape of a key: ``yb_<key id>_<secret>``, minted from ``secrets`` and checked in constant time.

The fixed ``yb_`` prefix lets secret scanners (and people) recognise a leaked key; the key id finds the
record with one keyed read; the secret (256 random bits) is compared by its SHA-256. A plain hash, not a
slow password hash, is right here: the secret is random and long, so there is nothing to brute-force, and
the check runs on every request.
"""

import hashlib
import hmac
import re
import secrets
from typing import Final, NamedTuple

PREFIX: Final = "yb_"
_TOKEN: Final = re.compile(r"yb_(?P<key_id>[0-9a-f]{16})_(?P<secret>[A-Za-z0-9_-]{43})")
MAX_TOKEN_LENGTH: Final = 80
"""Longer than any key we issue: what is longer is refused before any work is done."""


class Minted(NamedTuple):
    """A new key: its public id, the whole key to hand out once, and the hash to keep."""

    key_id: str
    token: str
    secret_hash: str


class Presented(NamedTuple):
    """A key as a caller sent it, split into the id to look up and the secret to check."""

    key_id: str
    secret: str


def mint() -> Minted:
    """Make a new key from the operating system's randomness."""
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    return Minted(key_id, f"{PREFIX}{key_id}_{secret}", hash_secret(secret))


def split(token: str) -> Presented | None:
    """Return the id and secret of ``token``, or ``None`` if it is not shaped like one of our keys."""
    if len(token) > MAX_TOKEN_LENGTH:
        return None
    match = _TOKEN.fullmatch(token)
    return None if match is None else Presented(match["key_id"], match["secret"])


def hash_secret(secret: str) -> str:
    """The SHA-256 (hex) of a key's secret part: what storage keeps."""
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: str, secret_hash: str) -> bool:
    """Whether ``secret`` hashes to ``secret_hash``, compared in constant time."""
    return hmac.compare_digest(hash_secret(secret), secret_hash)
