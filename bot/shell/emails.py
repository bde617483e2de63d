"""Checking the e-mail address given to ``--as`` and ``:as`` before it is used.

The address goes into a Console API path (``GET /users/{email}``) to look up the Statsig
role, so a malformed or enormous one must be refused here, as a usage error, rather than
turn into an invalid URL deep inside the HTTP client.

>>> email_problem("bob@example.com") is None
True
>>> email_problem("bob")
'an e-mail address has exactly one @ (e.g. bob@example.com)'
"""

from __future__ import annotations

__all__ = ["MAX_EMAIL_CHARS", "email_problem"]

MAX_EMAIL_CHARS = 254
"""The longest address SMTP allows (RFC 5321's path limit minus the angle brackets)."""


def email_problem(email: str) -> str | None:
    """Why ``email`` cannot be used as an identity, or ``None`` when it can."""
    if not email.strip():
        return "the e-mail address is empty"
    if len(email) > MAX_EMAIL_CHARS:
        return f"the e-mail address is too long (at most {MAX_EMAIL_CHARS} characters)"
    if any(ch.isspace() or not ch.isprintable() for ch in email):
        return "an e-mail address has no spaces or control characters"
    local, at, domain = email.partition("@")
    if not at or "@" in domain or not local or not domain:
        return "an e-mail address has exactly one @ (e.g. bob@example.com)"
    return None
