"""Show any Block Kit message we render in a terminal, readably.

The shell does not have its own views: it prints the very blocks Slack gets, through this
one generic converter, so both surfaces always show the same thing. Buttons become numbered
choices (``[1] Share in channel``) that the REPL can act on when the user types the number.

Usage::

    text, choices = render_text_with_choices(render_gate(gate), width=100)
    print(text)
    choices[0].action_id, choices[0].value   # ('share_in_channel', 'gate:checkout_v2')
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from io import StringIO
from typing import Any

from rich.console import Console
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from bot.render.common import Message

__all__ = ["Choice", "mrkdwn_to_text", "render_text", "render_text_with_choices"]

_ANGLE = re.compile(r"<([^<>\n]*)>")
# Slack formats a marker only at a word boundary; our escaping puts a zero-width space in
# front of markers that came from data, and that space is not a boundary here either.
_FORMAT = re.compile(
    r"(?<![\w\u200b`])`(?P<code>[^`\n]+?)(?<!\u200b)`"
    r"|(?<![\w\u200b*])\*(?P<bold>[^*\n]+?)(?<!\u200b)\*(?![\w*])"
    r"|(?<![\w\u200b_])_(?P<italic>[^_\n]+?)(?<!\u200b)_(?!\w)"
    r"|(?<![\w\u200b~])~(?P<strike>[^~\n]+?)(?<!\u200b)~(?!\w)"
)
_STYLES = {"code": "bold cyan", "bold": "bold", "italic": "italic", "strike": "strike"}
_SPECIAL_MENTIONS = {"!here": "@here", "!channel": "@channel", "!everyone": "@everyone"}


@dataclass(frozen=True)
class Choice:
    """A button the user can pick by number."""

    number: int
    label: str
    action_id: str
    value: str | None = None
    url: str | None = None


def _unescape(text: str) -> str:
    """Slack's three entities, and the invisible spaces our escaping inserted."""
    text = text.replace("\u200b", "")
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _angle(inner: str) -> Text:
    """One ``<…>`` construct: a link, a mention or a date, as readable text."""
    target, _, label = inner.partition("|")
    if target.startswith("!date^"):
        return Text(_unescape(label or target))
    if target in _SPECIAL_MENTIONS:
        return Text(_SPECIAL_MENTIONS[target], style="bold")
    if target.startswith("!subteam^"):
        return Text("@" + _unescape(label or target.removeprefix("!subteam^")), style="bold")
    if target[:1] in ("@", "#"):
        return Text(target[0] + _unescape(label or target[1:]), style="bold")
    url = _unescape(target)
    if not label or _unescape(label) == url:
        return Text(url, style="underline")
    text = Text(_unescape(label), style="underline")
    text.append(f" ({url})", style="dim")
    return text


def _formatted(segment: str) -> Text:
    out = Text()
    position = 0
    for match in _FORMAT.finditer(segment):
        out.append(_unescape(segment[position : match.start()]))
        kind = match.lastgroup or "code"
        out.append(_unescape(match.group(kind)), style=_STYLES[kind])
        position = match.end()
    out.append(_unescape(segment[position:]))
    return out


def mrkdwn_to_text(mrkdwn: str) -> Text:
    """Convert Slack mrkdwn to styled terminal text (styles vanish without colour)."""
    out = Text()
    position = 0
    for match in _ANGLE.finditer(mrkdwn):
        out.append_text(_formatted(mrkdwn[position : match.start()]))
        out.append_text(_angle(match.group(1)))
        position = match.end()
    out.append_text(_formatted(mrkdwn[position:]))
    return out


def _text_object(obj: Any) -> Text:
    if not isinstance(obj, Mapping):
        return Text("")
    raw = str(obj.get("text", ""))
    if obj.get("type") == "mrkdwn":
        return mrkdwn_to_text(raw)
    return Text(_unescape(raw))


class _Renderer:
    """Walks the blocks once, printing to a rich console and collecting choices."""

    def __init__(self, console: Console, color: bool, first_choice: int) -> None:
        self.console = console
        self.color = color
        self.choices: list[Choice] = []
        self.next_number = first_choice

    def block(self, block: Mapping[str, Any]) -> None:
        handler = getattr(self, f"_{block.get('type')}", None)
        if handler is not None:
            handler(block)

    def _header(self, block: Mapping[str, Any]) -> None:
        text = _text_object(block.get("text"))
        text.stylize("bold underline")
        self.console.print(text)
        if not self.color:
            self.console.print("═" * min(text.cell_len, self.console.width))

    def _section(self, block: Mapping[str, Any]) -> None:
        if block.get("text"):
            self.console.print(_text_object(block["text"]))
        fields = [_text_object(f) for f in block.get("fields") or []]
        if fields:
            grid = Table.grid(padding=(0, 3), expand=False)
            grid.add_column(ratio=1)
            grid.add_column(ratio=1)
            for start in range(0, len(fields), 2):
                grid.add_row(*fields[start : start + 2])
            self.console.print(grid)
        accessory = block.get("accessory")
        if isinstance(accessory, Mapping) and accessory.get("type") == "button":
            self.console.print(self._choice(accessory))

    def _context(self, block: Mapping[str, Any]) -> None:
        line = Text(style="dim")
        for i, element in enumerate(block.get("elements") or []):
            if i:
                line.append(" · ")
            if element.get("type") == "image":
                line.append(f"[{_unescape(str(element.get('alt_text', 'image')))}]")
            else:
                line.append_text(_text_object(element))
        self.console.print(line)

    def _divider(self, block: Mapping[str, Any]) -> None:
        self.console.print(Rule(style="dim"))

    def _image(self, block: Mapping[str, Any]) -> None:
        self.console.print(f"[image: {_unescape(str(block.get('alt_text', '')))}]")

    def _actions(self, block: Mapping[str, Any]) -> None:
        buttons = [e for e in block.get("elements") or [] if e.get("type") == "button"]
        line = Text()
        for i, element in enumerate(buttons):
            if i:
                line.append("   ")
            line.append_text(self._choice(element))
        if buttons:
            self.console.print(line)

    def _choice(self, element: Mapping[str, Any]) -> Text:
        label = _text_object(element.get("text")).plain
        choice = Choice(
            number=self.next_number,
            label=label,
            action_id=str(element.get("action_id", "")),
            value=element.get("value"),
            url=element.get("url"),
        )
        self.choices.append(choice)
        self.next_number += 1
        style = {"primary": "bold green", "danger": "bold red"}.get(str(element.get("style")))
        return Text(f"[{choice.number}] {label}", style=style or "bold")


def _payload(message: Message | Mapping[str, Any]) -> tuple[str, Sequence[Mapping[str, Any]]]:
    if isinstance(message, Message):
        return message.text, message.blocks
    return str(message.get("text") or ""), list(message.get("blocks") or [])


def render_text_with_choices(
    message: Message | Mapping[str, Any],
    *,
    width: int = 100,
    color: bool = False,
    first_choice: int = 1,
) -> tuple[str, list[Choice]]:
    """The message as terminal text, and its buttons as numbered choices.

    Without blocks, the plain-text fallback is shown (as mrkdwn, like Slack does).
    """
    buffer = StringIO()
    console = Console(
        file=buffer,
        width=width,
        force_terminal=color,
        color_system="standard" if color else None,
        no_color=not color,
        highlight=False,
        emoji=False,
        markup=False,
    )
    renderer = _Renderer(console, color, first_choice)
    text, blocks = _payload(message)
    if not blocks:
        console.print(mrkdwn_to_text(text))
    for block in blocks:
        renderer.block(block)
    lines = [line.rstrip() for line in buffer.getvalue().splitlines()]
    return "\n".join(lines).rstrip("\n") + "\n", renderer.choices


def render_text(
    message: Message | Mapping[str, Any], *, width: int = 100, color: bool = False
) -> str:
    """The message as terminal text (see :func:`render_text_with_choices`)."""
    return render_text_with_choices(message, width=width, color=color)[0]
