"""Structured JSON logs, with configured secrets masked wherever they appear.

Both our own ``structlog`` loggers and the standard-library loggers of the libraries we use
(slack-bolt, httpx, uvicorn) end in one handler on the root logger that renders JSON lines.
Before rendering, :class:`SecretRedactor` replaces every occurrence of a configured secret
value (tokens, signing secret, Console API key) in every string of the event, including
rendered tracebacks: a secret that slips into an exception message or a URL still never
reaches the log.

Usage::

    configure_logging(settings.log_level, secrets=settings.secret_values())
    log = structlog.get_logger(__name__)
    log.info("gate.disabled", gate="checkout_v2")
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, MutableMapping
from typing import Any, TextIO

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

__all__ = ["REDACTED", "SecretRedactor", "configure_logging"]

REDACTED = "[REDACTED]"

_handler: logging.Handler | None = None


class SecretRedactor:
    """A structlog processor that masks the given secret values in every string of an event."""

    def __init__(self, secrets: Iterable[str]) -> None:
        # Longest first, so a secret that contains another is masked whole.
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def __call__(self, logger: WrappedLogger, method_name: str, event_dict: EventDict) -> EventDict:
        if not self._secrets:
            return event_dict
        for key, value in event_dict.items():
            event_dict[key] = self._mask(value)
        return event_dict

    def _mask(self, value: Any) -> Any:
        if isinstance(value, str):
            for secret in self._secrets:
                value = value.replace(secret, REDACTED)
            return value
        if isinstance(value, MutableMapping):
            return {self._mask(k): self._mask(v) for k, v in value.items()}
        if isinstance(value, list | tuple | set | frozenset):
            return [self._mask(v) for v in value]
        if isinstance(value, int | float | bool) or value is None:
            return value
        # Anything else is rendered with repr/str by the JSON renderer: mask that text.
        return self._mask(str(value))


def configure_logging(
    level: str = "INFO", *, secrets: Iterable[str] = (), stream: TextIO | None = None
) -> None:
    """Send all logs as JSON lines to ``stream`` (stderr) at ``level``, secrets masked.

    Calling it again replaces the previous configuration (handler, level and secrets).
    """
    global _handler
    numeric = logging.getLevelNamesMapping().get(level.upper())
    if numeric is None:
        raise ValueError(f"unknown log level {level!r}")
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        # stdlib loggers' ``extra={...}`` fields (the Console API client's method, path and
        # status) become fields of the JSON line instead of being dropped.
        structlog.stdlib.ExtraAdder(),
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            SecretRedactor(secrets),
            structlog.processors.JSONRenderer(default=str),
        ],
    )
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    if _handler is not None:
        root.removeHandler(_handler)
    root.addHandler(handler)
    root.setLevel(numeric)
    _handler = handler
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
