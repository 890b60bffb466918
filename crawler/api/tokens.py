"""Bearer tokens of the API server: made once, shown once, kept only as a hash.

A token is `fa_` and 32 random bytes (URL-safe base64, from `secrets`). The report store keeps its
SHA-256 (`ApiToken.digest`), its name and scope: a stolen store reveals no token. A plain, unsalted
SHA-256 is enough here, unlike for passwords: a 256-bit random secret cannot be guessed or looked
up in a dictionary, so a slow or salted hash would add cost and no safety. A presented token is
found by its hash, then the stored hash is compared with `hmac.compare_digest` (constant time).

No FastAPI, no Scrapy: `footer-audit token` imports this module.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from crawler.errors import UsageError
from crawler.reports.store.base import TOKEN_SCOPES, ApiToken, ReportStore

__all__ = ["TOKEN_PREFIX", "create_token", "digest_of", "verify_token"]

TOKEN_PREFIX = "fa_"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
# A presented token longer than this is not one of ours: refused before hashing.
_MAX_TOKEN = 200


def digest_of(token: str) -> str:
    """The stored form of a token: hex SHA-256 of its UTF-8 bytes."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def create_token(store: ReportStore, name: str, scope: str = "audit") -> tuple[str, ApiToken]:
    """A new token named `name`: (the token, to show once; its stored record)."""
    if not _NAME.match(name):
        raise UsageError(f"token name {name!r}: 1-64 letters, digits, '.', '_', '@' or '-', "
                         "starting with a letter or digit")
    if scope not in TOKEN_SCOPES:
        raise UsageError(f"--scope {scope!r}: one of {', '.join(TOKEN_SCOPES)}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken(name=name, digest=digest_of(token), scope=scope)
    if not store.add_token(record):
        raise UsageError(f"a token named {name!r} exists already (revoke it or choose another "
                         "name)")
    return token, record


def verify_token(store: ReportStore, token: str) -> ApiToken | None:
    """The stored record of a presented token (revoked or not), None when it is unknown."""
    if not token or len(token) > _MAX_TOKEN:
        return None
    digest = digest_of(token)
    record = store.find_token(digest)
    if record is None or not hmac.compare_digest(record.digest, digest):
        return None
    return record
