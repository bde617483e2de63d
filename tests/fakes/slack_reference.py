"""Slack's own method reference (slack-ruby/slack-api-ref data), read at runtime.

The fake answers from this data rather than from our memory of Slack: which scopes a method
needs, which arguments are required and which error codes it may answer with. The files live in
``../shared/slack/api-ref`` next to the repository (or ``$SLACK_API_REF_DIR``) and are never
copied into the repo.
"""

from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "COMMON_ERRORS",
    "MethodSpec",
    "api_ref_dir",
    "load_reference",
]

REF_ENV = "SLACK_API_REF_DIR"

# Errors any Web API method can answer with (Slack lists them once, not per method; the data
# set only carries method-specific codes). ``msg_too_long`` and ``invalid_attachments`` are
# listed for chat.update and chat.postEphemeral; the fake answers them for chat.postMessage too.
COMMON_ERRORS = frozenset(
    {
        "not_authed",
        "invalid_auth",
        "account_inactive",
        "token_revoked",
        "no_permission",
        "missing_scope",
        "not_allowed_token_type",
        "invalid_arguments",
        "invalid_arg_name",
        "invalid_json",
        "json_not_object",
        "ratelimited",
        "internal_error",
        "fatal_error",
        "unknown_method",
        "msg_too_long",
        "invalid_attachments",
    }
)

# Not part of the bot's reference set, but the Socket Mode client calls it.
_LOCAL_SPECS: dict[str, dict[str, Any]] = {
    "apps.connections.open": {
        "http_method": "POST",
        "scope": {"app": ["connections:write"]},
        "args": {},
        "errors": {},
    },
}


@dataclass(frozen=True)
class MethodSpec:
    """What the reference says about one Web API method."""

    name: str
    http_method: str
    bot_scopes: tuple[str, ...]
    errors: frozenset[str]

    def allows_error(self, code: str) -> bool:
        """True when Slack documents ``code`` for this method (or for every method)."""
        return code in self.errors or code in COMMON_ERRORS


def api_ref_dir() -> Path:
    """Where the reference lives: ``$SLACK_API_REF_DIR`` or ``<repo>/../shared/slack/api-ref``."""
    configured = os.environ.get(REF_ENV)
    if configured:
        return Path(configured)
    repo_root = Path(__file__).resolve().parents[2]
    return repo_root.parent / "shared" / "slack" / "api-ref"


def _spec_from(name: str, data: dict[str, Any]) -> MethodSpec:
    scope = data.get("scope") or {}
    return MethodSpec(
        name=name,
        http_method=str(data.get("http_method", "POST")),
        bot_scopes=tuple(scope.get("bot", ())),
        errors=frozenset((data.get("errors") or {}).keys()),
    )


@functools.cache
def _load(directory: str) -> dict[str, MethodSpec]:
    path = Path(directory)
    if not path.is_dir():
        raise FileNotFoundError(
            f"Slack API reference not found at {path}; set {REF_ENV} to the api-ref directory"
        )
    specs: dict[str, MethodSpec] = {}
    for file in sorted(path.glob("*.json")):
        data = json.loads(file.read_text(encoding="utf-8"))
        if "args" in data:  # event files (app_home_opened) have no args
            specs[file.stem] = _spec_from(file.stem, data)
    for name, data in _LOCAL_SPECS.items():
        specs.setdefault(name, _spec_from(name, data))
    return specs


def load_reference(directory: Path | None = None) -> dict[str, MethodSpec]:
    """Method name → spec, parsed once per directory."""
    return _load(str(directory or api_ref_dir()))
