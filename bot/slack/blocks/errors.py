"""Friendly error messages: what went wrong, how to call it, what was probably meant.

Follows the house style (``Error: <what>.`` + ``Usage: …`` + ``Did you mean …?``). Every
part may echo user input (an unknown gate name), so every part is escaped.

Usage::

    render_error("Unknown gate", "There is no gate `chekout`.", suggestions=["checkout"])
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.slack.blocks.common import Message, esc, esc_plain, ident, message, section

__all__ = ["render_error"]


def render_error(
    title: str,
    detail: str | None = None,
    *,
    usage: str | None = None,
    suggestions: Sequence[str] = (),
) -> Message:
    """An error for a person to act on; never a stack trace."""
    lines = [f"❌ *Error:* {esc(title, 300)}"]
    if detail:
        lines.append(esc(detail, 1500))
    if usage:
        lines.append(f"*Usage:* {ident(usage, 300)}")
    if suggestions:
        names = ", ".join(ident(s, 80) for s in suggestions[:5])
        lines.append(f"Did you mean {names}?")
    fallback = f"Error: {esc_plain(title, 300)}"
    if detail:
        fallback += f" {esc_plain(detail, 500)}"
    return message(fallback, [section("\n".join(lines))])
