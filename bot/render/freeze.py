"""The change freeze in words: its status, the refusal of a frozen change, the switch's
announcement, an admin's override, and the line an approval card carries while it waits.

Every message names who froze, why, since when and until when, and says the way out
(``freeze off``, or ``--override-freeze`` for an admin), so a refusal is never a dead end.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.ops.model.freeze import Freeze, FreezeChange
from bot.render.common import (
    Message,
    context,
    esc,
    esc_plain,
    fmt_time,
    header,
    message,
    person,
    section,
)

__all__ = [
    "freeze_line",
    "render_freeze_override",
    "render_freeze_status",
    "render_freeze_switched",
    "render_frozen",
    "waiting_line",
    "with_freeze_banner",
    "with_override_note",
]


def freeze_line(freeze: Freeze) -> str:
    """``❄️ Changes are frozen by @alice since 14:02 (until 16:02): INC-231 …`` (mrkdwn)."""
    until = (
        f" until {fmt_time(freeze.until)}" if freeze.until is not None else " until `freeze off`"
    )
    return (
        f"❄️ *Changes are frozen* by {person(freeze.by)} since {fmt_time(freeze.since)}{until}: "
        f"{esc(freeze.reason, 500)}"
    )


def _fallback(freeze: Freeze) -> str:
    return f"Changes are frozen by {person(freeze.by)}: {esc_plain(freeze.reason, 200)}"


def render_frozen(freeze: Freeze, what: str, *, prefix: str = "") -> Message:
    """The plan-time refusal of a change (``what``: "roll out gate new_nav")."""
    lines = [
        f"❌ *Not now:* {esc(what, 200)} is refused while changes are frozen.",
        freeze_line(freeze),
        "`kill` and `restore` still work. An admin can run this change anyway by adding "
        f'`--override-freeze "why"`; a responder or an admin ends the freeze with '
        f"`{esc(prefix, 20)}freeze off`.",
    ]
    return message(
        f"Not now: {esc_plain(what, 200)}. {_fallback(freeze)}", [section("\n".join(lines))]
    )


def render_freeze_status(
    freeze: Freeze | None, history: Sequence[FreezeChange], *, prefix: str = ""
) -> Message:
    """``freeze`` with no argument: on or off, and the latest switches."""
    if freeze is not None:
        body = [section(freeze_line(freeze) + "\nEvery change but `kill` and `restore` is refused; "
                        "approved requests wait until the freeze ends.")]  # fmt: skip
        fallback = _fallback(freeze)
    else:
        body = [section(
            "✅ *Changes are not frozen.* A responder or an admin freezes them with "
            f"`{esc(prefix + 'freeze on <reason> [--for 2h]', 60)}`."
        )]  # fmt: skip
        fallback = "Changes are not frozen."
    if history:
        body.append(context([_history_line(c) for c in history[:5]]))
    return message(fallback, [header("Change freeze"), *body])


def _history_line(change: FreezeChange) -> str:
    verb = "froze changes" if change.event == "on" else "lifted the freeze"
    reason = f": {esc(change.reason, 200)}" if change.reason else ""
    return f"{person(change.by)} {verb} {fmt_time(change.at)}{reason}"


def render_freeze_switched(
    *, on: Freeze | None, lifted: Freeze | None, by: str, reason: str, waiting: int = 0
) -> Message:
    """The channel's (and the incident channel's) news: frozen, or the freeze lifted."""
    if on is not None:
        text = freeze_line(on) + (
            "\nEvery change but `kill` and `restore` is refused until then; approved requests wait."
        )
        return message(_fallback(on), [section(text)])
    why = f": {esc(reason, 500)}" if reason else "."
    text = f"🌤️ *Changes are no longer frozen*: {person(by)} lifted the freeze{why}"
    if lifted is not None:
        text += f"\nIt was frozen by {person(lifted.by)} since {fmt_time(lifted.since)}."
    if waiting:
        text += f"\n{waiting} approved request(s) that waited for it ran."
    return message(f"Changes are no longer frozen: lifted by {person(by)}", [section(text)])


def render_freeze_override(freeze: Freeze, summary: str, by: str, why: str) -> Message:
    """The loud line when an admin pushes a change through a freeze."""
    text = (
        f"⚠️ *Freeze override*: {person(by)} runs {esc(summary, 300)} during the freeze: "
        f"{esc(why, 500)}\n{freeze_line(freeze)}"
    )
    return message(
        f"Freeze override by {person(by)}: {esc_plain(summary, 200)} ({esc_plain(why, 200)})",
        [section(text)],
    )


def waiting_line(freeze: Freeze) -> str:
    """What an approval card adds while a freeze holds it back."""
    return freeze_line(freeze) + "\n⏸️ This request does not run while the freeze is on."


def with_freeze_banner(msg: Message, freeze: Freeze) -> Message:
    """``msg`` (help, the Home tab) with the freeze said first."""
    banner = section(freeze_line(freeze) + " Only `kill` and `restore` run until it ends.")
    return Message(text=f"{_fallback(freeze)}. {msg.text}", blocks=[banner, *msg.blocks][:50])


def with_override_note(plan: Message, freeze: Freeze, why: str) -> Message:
    """The plan an admin confirms, saying first that it goes through the freeze."""
    note = section(
        f"⚠️ *This change overrides the freeze* ({esc(why, 300)}).\n{freeze_line(freeze)}"
    )
    return Message(text=f"Overrides the freeze: {plan.text}", blocks=[note, *plan.blocks][:50])
