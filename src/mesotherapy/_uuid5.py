"""Name-based UUIDs (version 5, RFC 4122 4.3) as text: the ids of plans and of exports.

``str(uuid.uuid5(namespace, name))``, sooner: the namespace's SHA-1 is computed once and
copied for each name, and the text is cut from the hex digest without a `uuid.UUID`
object (a fifth of `uuid.uuid5`'s time; a first export derives several ids a plan). The
tests compare the two on many names and namespaces.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, Final

__all__ = ["namespaced"]


def _sha1_of() -> Callable[..., Any]:
    """CPython's own SHA-1, or `hashlib`'s where the build has none.

    `hashlib` loads OpenSSL to answer, 4-5 ms of a first use of the library for a digest
    that is the same; the built-in module is the one `hashlib` itself falls back on. It
    is slower on long names (8 µs against 1.6 µs for 2 KB, 0.7 against 0.5 µs for 40
    bytes): the exports, which load far more than OpenSSL, pass `hashlib`'s.
    """
    try:
        sha1: Callable[..., Any] = importlib.import_module("_sha1").sha1
    except ImportError:  # pragma: no cover - a Python built without it
        import hashlib  # noqa: PLC0415

        return hashlib.sha1
    return sha1


_SHA1: Final = _sha1_of()

_VARIANT: Final = {f"{n:x}": f"{n & 0x3 | 0x8:x}" for n in range(16)}
"""The 17th hex digit of a uuid5: the digest's two low bits under the RFC 4122 variant."""


def namespaced(namespace: str, sha1: Callable[..., Any] = _SHA1) -> Callable[[str], str]:
    """The function giving the uuid5 text of a name under *namespace* (a UUID's text).

    *sha1* makes the digest: by default CPython's own, which loads nothing (the plan
    ids of a first use); ``hashlib.sha1`` for the exports' many and long names.

    >>> import uuid
    >>> plan_id = namespaced("6f0e8b1c-3d52-4a7e-9c1b-5e2f4d8a7c30")
    >>> plan_id("x") == str(uuid.uuid5(uuid.UUID("6f0e8b1c-3d52-4a7e-9c1b-5e2f4d8a7c30"), "x"))
    True
    """
    # Not for security (a name's id, not a secret): OpenSSL in FIPS mode refuses SHA-1
    # otherwise, and the built-in module takes the same flag.
    started = sha1(bytes.fromhex(namespace.replace("-", "")), usedforsecurity=False)

    def uuid5_text(name: str) -> str:
        digest = started.copy()
        digest.update(name.encode())
        x: str = digest.hexdigest()
        # The version nibble 5 and the variant bits 10, set as `uuid.UUID` sets them.
        return f"{x[:8]}-{x[8:12]}-5{x[13:16]}-{_VARIANT[x[16]]}{x[17:20]}-{x[20:32]}"

    return uuid5_text
