"""The fake's ``response_url`` endpoint: 5 uses within 30 minutes, with Slack's effects.

Bolt's ``respond()`` posts JSON here. Besides recording each post, the fake applies it to the
workspace the way Slack does: ``replace_original`` rewrites the message the interaction came
from, ``delete_original`` removes it, ``in_channel`` posts a visible message and ``ephemeral``
(the default) shows one to the invoking user only.
"""

from __future__ import annotations

import json
from typing import Any

from tests.fakes.slack_blocks import check_blocks
from tests.fakes.slack_messages import MAX_TEXT_CHARS
from tests.fakes.slack_state import (
    RESPONSE_URL_MAX_USES,
    RESPONSE_URL_TTL_SECONDS,
    Message,
    ResponsePost,
    ResponseUrl,
    Workspace,
)

__all__ = ["post_to_response_url"]


def _refusal(hook: ResponseUrl | None, ws: Workspace) -> tuple[int, str] | None:
    if hook is None or ws.clock() - hook.created_at > RESPONSE_URL_TTL_SECONDS:
        return 404, "expired_url"
    if hook.uses >= RESPONSE_URL_MAX_USES:
        return 404, "used_up"
    return None


def _content_error(payload: dict[str, Any]) -> str | None:
    if payload.get("delete_original"):
        return None
    blocks = payload.get("blocks")
    if blocks is not None and check_blocks(blocks):
        return "invalid_blocks"
    text = payload.get("text")
    if text is not None and len(str(text)) > MAX_TEXT_CHARS:
        return "msg_too_long"
    if not text and not blocks and not payload.get("attachments"):
        return "no_text"
    return None


def _apply(ws: Workspace, hook: ResponseUrl, payload: dict[str, Any]) -> None:
    original = ws.messages.get((hook.channel_id or "", hook.message_ts or ""))
    if original is not None and payload.get("delete_original"):
        original.deleted = True
        return
    text, blocks = str(payload.get("text") or ""), list(payload.get("blocks") or [])
    if original is not None and payload.get("replace_original"):
        original.edits.append({"text": original.text, "blocks": original.blocks})
        original.text, original.blocks = text, blocks
        return
    if hook.channel_id is None:
        return
    in_channel = payload.get("response_type") == "in_channel"
    ts = ws.next_ts()
    ws.messages[(hook.channel_id, ts)] = Message(
        channel=hook.channel_id,
        ts=ts,
        text=text,
        blocks=blocks,
        user=ws.bot_user_id,
        bot_id=ws.bot_id,
        thread_ts=str(payload["thread_ts"]) if payload.get("thread_ts") else None,
        ephemeral_to=None if in_channel else (hook.user_id or ""),
    )


def post_to_response_url(
    ws: Workspace, hook: ResponseUrl | None, body: bytes
) -> tuple[int, dict[str, Any]]:
    """Handle one POST; returns the HTTP status and JSON body Slack would answer with."""
    refusal = _refusal(hook, ws)
    if refusal is not None or hook is None:
        status, error = refusal or (404, "expired_url")
        if hook is not None:
            hook.posts.append(ResponsePost({}, status, ws.clock()))
        return status, {"ok": False, "error": error}
    try:
        payload = json.loads(body or b"null")
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        hook.posts.append(ResponsePost({}, 400, ws.clock()))
        return 400, {"ok": False, "error": "invalid_payload"}
    content_error = _content_error(payload)
    if content_error is not None:
        hook.posts.append(ResponsePost(payload, 400, ws.clock()))
        return 400, {"ok": False, "error": content_error}
    hook.posts.append(ResponsePost(payload, 200, ws.clock()))
    _apply(ws, hook, payload)
    return 200, {"ok": True}
