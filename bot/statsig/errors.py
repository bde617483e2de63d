"""Typed failures of the Statsig Console API client.

Every failure the client raises is a :class:`ConsoleError`; callers catch that one class
and show ``err.user_message`` (a short sentence safe to post in Slack). The tree::

    ConsoleError                 anything that went wrong talking to Statsig
    ├── BadRequest               400 (and other unexpected 4xx): carries Statsig's message
    │   ├── ReviewRequired       4xx saying the change must be reviewed in the console
    │   └── InvalidRequest       the client could not build or send the request (bad URL,
    │                            unencodable body): nothing reached Statsig; never retried
    ├── Unauthorized             401: the Console API key is missing, wrong or inactive
    ├── Forbidden                403: the key may not touch this resource
    ├── NotFound                 404: names the entity kind and id that was asked for
    ├── RateLimited              429: ``retry_after`` seconds when Statsig said so
    ├── ServerError              5xx: ``status`` is the HTTP status
    ├── Timeout                  no answer in time; ``may_have_applied`` for mutations
    ├── Unreachable              could not connect at all (the request was never sent)
    └── MalformedResponse        a 2xx whose body is not what the document promises

No error ever holds the API key: Statsig's own 401 body echoes the key that was sent, so
every message passes through :func:`redact` before it is stored. Errors keep no reference
to the ``httpx`` request or response (whose headers carry the key).
"""

from __future__ import annotations

import re

__all__ = [
    "BadRequest",
    "ConsoleError",
    "Forbidden",
    "InvalidRequest",
    "MalformedResponse",
    "NotFound",
    "RateLimited",
    "ReviewRequired",
    "ServerError",
    "Timeout",
    "Unauthorized",
    "Unreachable",
    "redact",
]

REDACTED = "[redacted]"
# Statsig's 401 message ends "... Key: console-xxxXXX"; also catch any key-shaped token.
_KEY_PATTERNS = (
    re.compile(r"(?i)(key\s*[:=]\s*)\S+"),
    re.compile(r"\b(?:console|secret|client|server)-[A-Za-z0-9_\-]{6,}"),
)


def redact(text: str, *secrets: str) -> str:
    """Remove ``secrets`` and anything that looks like a Statsig key from ``text``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    text = _KEY_PATTERNS[0].sub(lambda m: m.group(1) + REDACTED, text)
    return _KEY_PATTERNS[1].sub(REDACTED, text)


class ConsoleError(Exception):
    """Base class: ``str(err)`` is for logs, ``err.user_message`` is for people."""

    _user_message = "Something went wrong talking to Statsig."

    def __init__(self, detail: str = "", *, status: int | None = None) -> None:
        self.detail = detail
        self.status = status
        super().__init__(detail or self.user_message)

    @property
    def user_message(self) -> str:
        """One short sentence for people (Slack, the shell); never holds secrets."""
        return self._user_message

    @property
    def outcome_unknown(self) -> bool:
        """A mutation may have been applied although it failed: the request reached
        Statsig and no answer came back (a timeout, a connection cut after sending). The
        caller must read the entity back before saying "failed"."""
        return False

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status!r}, detail={self.detail!r})"


class BadRequest(ConsoleError):
    """Statsig refused the input; ``message`` is Statsig's own explanation."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        self.message = message
        super().__init__(message, status=status)

    @property
    def user_message(self) -> str:
        reason = self.message.strip() or "the request was invalid"
        return f"Statsig rejected the request: {reason}"


class ReviewRequired(BadRequest):
    """Statsig answered that the change has to go through a review in the console."""

    @property
    def user_message(self) -> str:
        return "Statsig requires a review for this change; approve it in the Statsig console."


class InvalidRequest(BadRequest):
    """The client could not build or send the request at all (nothing reached Statsig)."""

    @property
    def user_message(self) -> str:
        return f"The bot could not send that request to Statsig: {self.message}"


class Unauthorized(ConsoleError):
    """401: the key is wrong, inactive or not a Console key."""

    _user_message = (
        "Statsig rejected the bot's Console API key; ask an admin to check STATSIG_CONSOLE_API_KEY."
    )


class Forbidden(ConsoleError):
    """403: the key's role may not touch this resource."""

    _user_message = "The bot's Statsig key is not allowed to do that."


class NotFound(ConsoleError):
    """The entity does not exist (or the key cannot see it)."""

    def __init__(self, kind: str, entity_id: str, detail: str = "") -> None:
        self.kind = kind
        self.entity_id = entity_id
        super().__init__(detail or f"{kind} {entity_id!r} not found", status=404)

    @property
    def user_message(self) -> str:
        return f"Statsig has no {self.kind} called {self.entity_id}."


class RateLimited(ConsoleError):
    """Too many requests; ``retry_after`` is Statsig's hint in seconds, if it gave one."""

    def __init__(self, detail: str = "", *, retry_after: float | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(detail or "rate limited", status=429)

    @property
    def user_message(self) -> str:
        if self.retry_after:
            return f"Statsig is rate-limiting the bot; try again in {self.retry_after:.0f} s."
        return "Statsig is rate-limiting the bot; try again in a minute."


class ServerError(ConsoleError):
    """Statsig failed (5xx); ``status`` says which, and is ``None`` when the connection
    broke after the request was sent (the server may have acted on it)."""

    @property
    def user_message(self) -> str:
        if self.status is None:
            return "The connection to Statsig broke before it answered; try again shortly."
        return f"Statsig had an internal error (HTTP {self.status}); try again shortly."

    @property
    def outcome_unknown(self) -> bool:
        return self.status is None


class Timeout(ConsoleError):
    """No answer in time. ``may_have_applied`` is true when a mutation reached Statsig."""

    def __init__(self, detail: str = "", *, may_have_applied: bool = False) -> None:
        self.may_have_applied = may_have_applied
        super().__init__(detail or "timed out")

    @property
    def outcome_unknown(self) -> bool:
        return self.may_have_applied

    @property
    def user_message(self) -> str:
        if self.may_have_applied:
            return (
                "Statsig did not answer in time; the change may or may not have been "
                "applied, so check it before trying again."
            )
        return "Statsig did not answer in time; try again shortly."


class Unreachable(ConsoleError):
    """The connection failed before the request was sent, so nothing was applied."""

    _user_message = "The bot could not reach Statsig; try again shortly."


class MalformedResponse(ConsoleError):
    """A success status whose body is not JSON or not the documented shape."""

    _user_message = "Statsig sent an answer the bot could not read."
