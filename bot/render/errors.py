"""Friendly error messages: what went wrong, how to call it, what was probably meant.

Follows the house style (``Error: <what>.`` + ``Usage: …`` + ``Did you mean …?``). Every
part may echo user input (an unknown gate name), so every part is escaped.

Usage::

    render_error("Unknown gate", "There is no gate `chekout`.", suggestions=["checkout"])
    render_error("no gate named foo", next_step=("Try {}.", "gate search foo"))

``next_step`` is the way forward: a sentence whose ``{}`` are filled with commands, shown
as code spans (the sentence is escaped, the commands are identifiers).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.render.common import Message, esc, esc_plain, ident, message, section

__all__ = ["render_error"]


def render_error(
    title: str,
    detail: str | None = None,
    *,
    usage: str | None = None,
    suggestions: Sequence[str] = (),
    next_step: tuple[str, ...] = (),
) -> Message:
    """An error for a person to act on; never a stack trace."""
    lines = [f"❌ *Error:* {esc(title, 300)}"]
    if detail:
        lines.append(esc(detail, 1500))
    if suggestions:  # the likely fix first, the full form after it
        names = ", ".join(ident(s, 80) for s in suggestions[:5])
        lines.append(f"Did you mean {names}?")
    if usage:
        lines.append(f"*Usage:* {ident(usage, 300)}")
    if next_step:
        sentence, *commands = next_step
        parts = sentence.split("{}")
        text = esc(parts[0], 300)
        for command, part in zip(commands, parts[1:], strict=False):
            text += ident(command, 120) + esc(part, 300)
        lines.append(text)
    fallback = f"Error: {esc_plain(title, 300)}"
    if detail:
        fallback += f" {esc_plain(detail, 500)}"
    return message(fallback, [section("\n".join(lines))])
