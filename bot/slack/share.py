"""The "Share in channel" button for every read: what the button carries and how a click redoes it.

Entity summaries and histories already carry a :class:`~bot.render.values.ShareRef`
(``gate:checkout_v2``) from their renderer. Lists, searches, help, approvals and audit
replies carry a :class:`~bot.render.values.ReplyRef` from the core (``Reply.share``), and
get their button here: a short, parseable value (at most 2000 characters, as Slack allows)
that names the read, never its result, so a click re-renders it fresh for the channel::

    list:gate:2:checkout --tag critical     help:gate rollout     approvals:pending
    audit:2h:checkout_v2                    gate:checkout_v2 (a ShareRef)

A value is user-controlled as far as we are concerned: decoding raises ``ValueError`` on
anything malformed, and a click only ever re-runs a *read*.
"""

from __future__ import annotations

from typing import Any

from bot.render.common import MAX_BLOCKS, Message, actions, button
from bot.render.ids import LIST_NEXT_PAGE, SHARE_IN_CHANNEL
from bot.render.values import ReplyRef

__all__ = ["with_share_button", "without_buttons"]

_MAX_ACTIONS = 25


def _has_share_button(msg: Message) -> bool:
    return any(
        isinstance(e, dict) and e.get("action_id") == SHARE_IN_CHANNEL
        for block in msg.blocks
        for e in block.get("elements", []) or []
    )


def with_share_button(msg: Message, ref: ReplyRef) -> Message:
    """``msg`` with a "Share in channel" button (next to "Next page" when there is one)."""
    value = ref.encode()
    if value is None or _has_share_button(msg):
        return msg
    share = button("Share in channel", SHARE_IN_CHANNEL, value)
    blocks = list(msg.blocks)
    last = blocks[-1] if blocks else None
    if last is not None and last.get("type") == "actions":
        elements = list(last.get("elements") or [])
        if len(elements) < _MAX_ACTIONS:
            blocks[-1] = {**last, "elements": [*elements, share]}
            return Message(msg.text, blocks)
    if len(blocks) >= MAX_BLOCKS:
        return msg
    return Message(msg.text, [*blocks, actions([share])])


def without_buttons(msg: Message, action_ids: frozenset[str] = frozenset()) -> Message:
    """The channel's copy of a read: no share or paging buttons (they are the reader's)."""
    drop = action_ids or frozenset({SHARE_IN_CHANNEL, LIST_NEXT_PAGE})
    blocks: list[dict[str, Any]] = []
    for block in msg.blocks:
        if block.get("type") != "actions":
            blocks.append(block)
            continue
        kept = [e for e in block.get("elements") or [] if e.get("action_id") not in drop]
        if kept:
            blocks.append({**block, "elements": kept})
    return Message(msg.text, blocks)
