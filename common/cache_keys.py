"""Cache keys made from everything a cached value is built from."""

from __future__ import annotations

import hashlib


def hashed_key(prefix: str, parts: object) -> str:
    """``prefix`` and a digest of ``repr(parts)``: any length or character, one valid key.

    A value cached under everything it is made from is never served stale. Hashed, because
    such parts hold spaces and any length, which a memcached key may not (Django warns).
    """
    return f"{prefix}:{hashlib.sha256(repr(parts).encode()).hexdigest()}"
