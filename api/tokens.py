"""API secrets: how a token looks, how it is stored and how its row is found. Pure.

A token reads `tam_<kind>_<prefix>_<secret>`: `kind` is `pt` (personal) or `ik`
(integration key), `prefix` 8 random hex characters stored in clear to find the row,
`secret` 32 random bytes. Only the SHA-256 of the whole token is stored, so a database
leak gives no usable token; a random 256-bit secret needs no slow hash.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

PERSONAL = "pt"
INTEGRATION = "ik"
KINDS = (PERSONAL, INTEGRATION)
PREFIX_LENGTH = 8


@dataclass(frozen=True)
class NewToken:
    token: str  # shown once, never stored
    prefix: str
    digest: str


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(kind: str) -> NewToken:
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    token = f"tam_{kind}_{prefix}_{secrets.token_urlsafe(32)}"
    return NewToken(token, prefix, digest_of(token))


def parse(token: str) -> tuple[str, str] | None:
    """(kind, prefix) of a well-formed token; None for anything else."""
    parts = token.split("_", 3)
    if len(parts) != 4 or parts[0] != "tam" or parts[1] not in KINDS:
        return None
    if len(parts[2]) != PREFIX_LENGTH or not parts[3]:
        return None
    return parts[1], parts[2]


def matches(token: str, digest: str) -> bool:
    return hmac.compare_digest(digest_of(token), digest)


def shown(kind: str, prefix: str) -> str:
    """What lists show of a token: enough to recognise it, nothing to use."""
    return f"tam_{kind}_{prefix}_…"
