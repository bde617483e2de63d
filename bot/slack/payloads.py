"""The shape of every payload the listeners read, checked before any of them runs.

Listeners read ``body["user"]["id"]``, ``view.state.values[block][action]`` and the like;
a signed payload whose fields have other types (a string where Slack sends an object, a
list of numbers for ``actions``) must become a 400, not an ``AttributeError`` in a
listener (a 500, or a silent failure after the ack). Each model names only the fields our
listeners and Bolt's own routing read, with the types Slack documents; everything else in
a payload is allowed and ignored, so a new field from Slack never breaks the bot.

Payload types the app does not use (legacy ``interactive_message``, dialogs, workflow
steps) are refused too: Bolt would route some of them to our listeners by ``callback_id``,
with shapes those listeners never expect.

Usage::

    problem = payload_problem(body)   # None, or a short reason for the log
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

__all__ = ["EVENTS_API_TYPES", "payload_problem"]


class _Shape(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


class _User(_Shape):
    id: str = Field(min_length=1)
    team_id: str | None = None


class _Team(_Shape):
    id: str | None = None
    enterprise_id: str | None = None


class _Enterprise(_Shape):
    id: str | None = None


class _Channel(_Shape):
    id: str | None = None


class _State(_Shape):
    values: dict[str, dict[str, dict[str, Any]]] = Field(default_factory=dict)


class _View(_Shape):
    id: str | None = None
    type: str | None = None
    callback_id: str | None = None
    private_metadata: str | None = None
    hash: str | None = None
    team_id: str | None = None
    app_id: str | None = None
    state: _State | None = None
    blocks: list[dict[str, Any]] | None = None


class _Interaction(_Shape):
    """What every interactivity payload carries."""

    type: str
    user: _User
    team: _Team | None = None
    enterprise: _Enterprise | str | None = None
    api_app_id: str | None = None
    trigger_id: str | None = None
    response_url: str | None = None
    channel: _Channel | None = None
    container: dict[str, Any] | None = None
    message: dict[str, Any] | None = None
    view: _View | None = None


class _Action(_Shape):
    action_id: str
    block_id: str | None = None
    value: str | None = None


class _BlockActions(_Interaction):
    actions: list[_Action] = Field(min_length=1)


class _SubmittedView(_View):
    type: str  # Bolt reads it to route a submission (``workflow_step`` or not)


class _ViewSubmission(_Interaction):
    view: _SubmittedView


class _BlockSuggestion(_Interaction):
    action_id: str
    value: str | None = None


class _Shortcut(_Interaction):
    callback_id: str


class _SlashCommand(_Shape):
    command: str
    text: str = ""
    user_id: str
    channel_id: str | None = None
    team_id: str | None = None
    enterprise_id: str | None = None
    api_app_id: str | None = None
    response_url: str | None = None
    trigger_id: str | None = None


class _Event(_Shape):
    type: str
    user: str | None = None
    tab: str | None = None


class _EventCallback(_Shape):
    type: str
    event_id: str | None = None
    team_id: str | None = None
    enterprise_id: str | None = None
    api_app_id: str | None = None
    event: _Event
    authorizations: list[dict[str, Any]] | None = None


class _UrlVerification(_Shape):
    type: str
    challenge: str


_BY_TYPE: dict[str, type[_Shape]] = {
    "block_actions": _BlockActions,
    "view_submission": _ViewSubmission,
    "view_closed": _ViewSubmission,
    "block_suggestion": _BlockSuggestion,
    "shortcut": _Shortcut,
    "message_action": _Shortcut,
    "event_callback": _EventCallback,
    "url_verification": _UrlVerification,
}


_UNREAD = frozenset({"app_rate_limited"})
"""Types Slack sends that no listener reads: Bolt answers them, nothing runs."""
EVENTS_API_TYPES = frozenset({"event_callback", "url_verification", "app_rate_limited"})
"""The payloads Slack sends as JSON (the Events API); the rest come form-encoded."""


def payload_problem(body: dict[str, Any]) -> str | None:
    """``None`` when ``body`` has the shape its listener reads; else why not, for the log."""
    if "command" in body and "type" not in body:
        model: type[_Shape] = _SlashCommand
    else:
        kind = body.get("type")
        if not isinstance(kind, str):
            return "no payload type"
        if kind in _UNREAD:
            return None
        found = _BY_TYPE.get(kind)
        if found is None:
            return f"a payload type this app does not use ({kind[:40]})"
        model = found
    try:
        model.model_validate(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "top level"
        return f"{body.get('type') or 'command'} payload: {where}: {first['type']}"
    except RecursionError:
        return "payload nested too deeply"
    return None
