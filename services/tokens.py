"""Secrets handed out once: 256 random bits from ``secrets``, kept only as a SHA-256.

Family links, calendar feeds and API tokens all use these. A lookup hashes whatever it
is given, however malformed, and probes the unique index with it, so a guess costs the
same whether or not it is well formed.
"""

from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 32  # 256 bits; the family link needs at least 128


def new_token() -> tuple[str, str]:
    """(the token to hand out, the hash to store)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, digest(token)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()
