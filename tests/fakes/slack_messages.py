"""``chat.*`` methods of the fake: post, update, ephemeral, delete, with Slack's content rules."""

from __future__ import annotations

from typing import Any

from tests.fakes.slack_blocks import check_blocks, decode_json_field
from tests.fakes.slack_state import Channel, Message, SlackApiFailure, Workspace

__all__ = [
    "MAX_TEXT_CHARS",
    "chat_delete",
    "chat_post_ephemeral",
    "chat_post_message",
    "chat_update",
    "require_scope",
]

MAX_TEXT_CHARS = 40_000


def require_scope(scopes: frozenset[str], *needed: str) -> None:
    """``missing_scope`` unless one of ``needed`` was granted, with Slack's extra fields."""
    if needed and not any(scope in scopes for scope in needed):
        raise SlackApiFailure(
            "missing_scope", needed=",".join(needed), provided=",".join(sorted(scopes))
        )


def _decode_list(args: dict[str, Any], key: str) -> list[Any] | None:
    """``blocks``/``attachments`` may be JSON strings inside a form; ``None`` when absent."""
    if key not in args or args[key] is None:
        return None
    value, ok = decode_json_field(args[key])
    if not ok:
        messages = [f"[ERROR] failed to parse json [json-pointer:/{key}]"]
        raise SlackApiFailure(
            "invalid_blocks" if key == "blocks" else "invalid_attachments",
            response_metadata={"messages": messages},
        )
    if key == "attachments" and not isinstance(value, list):
        raise SlackApiFailure("invalid_attachments")
    return value  # type: ignore[no-any-return]


def _checked_blocks(args: dict[str, Any]) -> list[dict[str, Any]] | None:
    blocks = _decode_list(args, "blocks")
    if blocks is None:
        return None
    errors = check_blocks(blocks)
    if errors:
        raise SlackApiFailure("invalid_blocks", response_metadata={"messages": errors})
    return blocks


def _checked_text(args: dict[str, Any]) -> str | None:
    text = args.get("text")
    markdown = args.get("markdown_text")
    if markdown is not None:
        if text or args.get("blocks"):
            raise SlackApiFailure("markdown_text_conflict")
        text = markdown
    if text is None:
        return None
    text = str(text)
    if len(text) > MAX_TEXT_CHARS:
        raise SlackApiFailure("msg_too_long")
    return text


def _require_content(text: str | None, blocks: list[Any] | None, attachments: Any) -> None:
    if not text and not blocks and not attachments:
        raise SlackApiFailure("no_text")


def _check_can_post(ws: Workspace, channel: Channel, scopes: frozenset[str]) -> None:
    """Archived channels refuse; non-members may post only to public channels, with a scope."""
    if channel.is_archived:
        raise SlackApiFailure("is_archived")
    if channel.is_member:
        return
    if channel.is_private or channel.is_im or channel.is_mpim:
        raise SlackApiFailure("channel_not_found")  # the bot cannot see it at all
    if "chat:write.public" not in scopes:
        raise SlackApiFailure("not_in_channel")


def chat_post_message(
    ws: Workspace, args: dict[str, Any], scopes: frozenset[str]
) -> dict[str, Any]:
    channel = ws.find_channel(args.get("channel"))
    _check_can_post(ws, channel, scopes)
    text, blocks = _checked_text(args), _checked_blocks(args)
    attachments = _decode_list(args, "attachments")
    _require_content(text, blocks, attachments)
    thread_ts = str(args["thread_ts"]) if args.get("thread_ts") else None
    ts = ws.next_ts()
    message = Message(
        channel=channel.id,
        ts=ts,
        text=text or "",
        blocks=blocks or [],
        user=ws.bot_user_id,
        bot_id=ws.bot_id,
        thread_ts=thread_ts,
        attachments=attachments or [],
        metadata=args.get("metadata"),
    )
    ws.messages[(channel.id, ts)] = message
    parent = ws.messages.get((channel.id, thread_ts)) if thread_ts else None
    if parent is not None:
        parent.replies.append(ts)
    return {"ok": True, "channel": channel.id, "ts": ts, "message": message.to_api()}


def chat_update(ws: Workspace, args: dict[str, Any], scopes: frozenset[str]) -> dict[str, Any]:
    channel = ws.find_channel(args.get("channel"))
    message = ws.live_message(channel.id, args.get("ts"))
    if message.ephemeral_to is not None or message.user != ws.bot_user_id:
        raise SlackApiFailure("cant_update_message")
    text, blocks = _checked_text(args), _checked_blocks(args)
    attachments = _decode_list(args, "attachments")
    # Slack keeps whatever the update leaves out; an empty list clears blocks.
    new_text = message.text if text is None else text
    new_blocks = message.blocks if blocks is None else blocks
    new_attachments = message.attachments if attachments is None else attachments
    _require_content(new_text, new_blocks, new_attachments)
    message.edits.append({"text": message.text, "blocks": message.blocks})
    message.text, message.blocks, message.attachments = new_text, new_blocks, new_attachments
    return {
        "ok": True,
        "channel": channel.id,
        "ts": message.ts,
        "text": message.text,
        "message": message.to_api(),
    }


def chat_post_ephemeral(
    ws: Workspace, args: dict[str, Any], scopes: frozenset[str]
) -> dict[str, Any]:
    channel = ws.find_channel(args.get("channel"))
    user_id = args.get("user")
    if not isinstance(user_id, str) or user_id not in ws.users or not channel.has_member(user_id):
        raise SlackApiFailure("user_not_in_channel")
    _check_can_post(ws, channel, scopes)
    text, blocks = _checked_text(args), _checked_blocks(args)
    attachments = _decode_list(args, "attachments")
    _require_content(text, blocks, attachments)
    ts = ws.next_ts()
    ws.messages[(channel.id, ts)] = Message(
        channel=channel.id,
        ts=ts,
        text=text or "",
        blocks=blocks or [],
        user=ws.bot_user_id,
        bot_id=ws.bot_id,
        thread_ts=str(args["thread_ts"]) if args.get("thread_ts") else None,
        attachments=attachments or [],
        ephemeral_to=user_id,
    )
    return {"ok": True, "message_ts": ts}


def chat_delete(ws: Workspace, args: dict[str, Any], scopes: frozenset[str]) -> dict[str, Any]:
    channel = ws.find_channel(args.get("channel"))
    message = ws.live_message(channel.id, args.get("ts"))
    if message.user != ws.bot_user_id or message.ephemeral_to is not None:
        raise SlackApiFailure("cant_delete_message")
    message.deleted = True
    return {"ok": True, "channel": channel.id, "ts": message.ts}
