"""Timed kills in words: the reminders in the kill's thread and the list of those running.

A reminder always says which gate, that it is still disabled, who killed it (a mention, so
they hear it) and what happens next, with the three ways out as buttons: **Restore now**
(the kill's own Restore), **Keep disabled** (the same window again) and **Keep disabled
for good** (no more reminders).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.ops.model.timers import KillTimer, span_words
from bot.render.common import (
    Message,
    actions,
    button,
    context,
    esc_plain,
    fmt_time,
    ident,
    message,
    person,
    section,
)
from bot.render.ids import INCIDENT_RESTORE, TIMER_EXTEND, TIMER_KEEP

__all__ = [
    "render_auto_restore",
    "render_back_on",
    "render_kept_current",
    "render_timer_kept",
    "render_timer_reminder",
    "render_timers",
    "with_timers",
    "timer_line",
]


def _buttons(timer: KillTimer) -> dict[str, Any]:
    window = span_words(timer.window_s)
    return actions(
        [
            button("Restore now", INCIDENT_RESTORE, timer.id, style="primary"),
            button(f"Keep disabled ({window} more)", TIMER_EXTEND, timer.id),
            button("Keep disabled for good", TIMER_KEEP, timer.id),
        ]
    )


def render_timer_reminder(timer: KillTimer, now: datetime) -> Message:
    """The early reminder (the window ends soon) or the last one (it has ended)."""
    gate = ident(timer.gate_id)
    who = person(timer.killed_by)
    if timer.is_over(now):
        title = f"⏰ The {span_words(timer.window_s)} kill of gate {gate} is over"
        body = f"{who}: gate {gate} is *still disabled*. Restore it, or keep it disabled?"
    else:
        left = span_words(timer.left(now))
        then = "I will restore it then" if timer.auto_restore else "I will ask again then"
        title = f"⏰ The kill of gate {gate} ends in {left}"
        body = f"{who}: gate {gate} is disabled until {fmt_time(timer.ends_at)}; {then}."
    fallback = f"{title}. {body}"
    return message(
        esc_plain(fallback, 300),
        [section(f"*{title}*\n{body}")],
        [_buttons(timer), context([f"kill request {ident(timer.id, 70)}"])],
    )


def render_auto_restore(timer: KillTimer, result: Message, *, result_kind: str) -> Message:
    """What the restore at the end of the window did, as a lead line above the restore's
    own answer: ``restored`` (Statsig applied it), ``already`` (the gate already looked as
    before the kill) or ``not`` (refused, waiting for an approval, or failed: the answer
    below says which, and the buttons stay)."""
    gate = ident(timer.gate_id)
    window = span_words(timer.window_s)
    if result_kind == "restored":
        lead = (
            f"⏰ The {window} kill of gate {gate} is over: restored it, as "
            f"{person(timer.killed_by)} asked (`--auto-restore`)."
        )
    elif result_kind == "already":
        lead = (
            f"⏰ The {window} kill of gate {gate} is over; the gate already looked as it did "
            "before the kill, so nothing was changed."
        )
    else:
        lead = (
            f"⏰ The {window} kill of gate {gate} is over, but it was *not restored*: "
            f"{person(timer.killed_by)}, see below (gate {gate} stays disabled until it is)."
        )
    tail = [] if result_kind != "not" else [_buttons(timer)]
    return message(esc_plain(lead, 300), [section(lead), *result.blocks], tail)


def render_timer_kept(timer: KillTimer, by: str, *, for_good: bool) -> Message:
    """The notice in the thread (and to the clicker) after Keep disabled / for good."""
    gate = ident(timer.gate_id)
    if for_good:
        text = f"🔒 {person(by)} keeps gate {gate} disabled for good: no more reminders."
    else:
        text = (
            f"⏳ {person(by)} keeps gate {gate} disabled for {span_words(timer.window_s)} more, "
            f"until {fmt_time(timer.ends_at)}; reminders as before."
        )
    return message(esc_plain(text, 300), [section(text)])


def render_back_on(timer: KillTimer) -> Message:
    """A timed kill whose gate was turned on again by hand: no more reminders."""
    text = (
        f"⏰ Gate {ident(timer.gate_id)} is on again (it was turned on since the kill), so the "
        f"timed kill by {person(timer.killed_by)} ends here: no more reminders."
    )
    return message(esc_plain(text, 300), [section(text)])


def render_kept_current(gate_id: str, by: str) -> Message:
    """After a refused restore's **Keep current**."""
    text = (
        f"🔒 {person(by)} keeps gate {ident(gate_id)} as it is now: the snapshot was not "
        "put back (it stays available to `restore --anyway`)."
    )
    return message(esc_plain(text, 300), [section(text)])


def timer_line(timer: KillTimer, now: datetime) -> str:
    """One timed kill in a list: gate, time left, what happens at the end, who."""
    then = "restores itself" if timer.auto_restore else "asks again"
    left = "time is up" if timer.is_over(now) else f"{span_words(timer.left(now))} left"
    return (
        f"⏱️ gate {ident(timer.gate_id)}: {left} (until {fmt_time(timer.ends_at)}), then "
        f"{then} · killed by {person(timer.killed_by)}"
    )


def with_timers(listing: Message, timers: list[KillTimer], now: datetime) -> Message:
    """``listing`` (the ``approvals`` reply) with the running timed kills after it."""
    blocks = render_timers(timers, now)
    if not blocks:
        return listing
    return Message(text=listing.text, blocks=[*listing.blocks, *blocks][:50])


def render_timers(timers: list[KillTimer], now: datetime) -> list[dict[str, Any]]:
    """The "Timed kills" section of ``approvals`` and App Home (no blocks when none)."""
    if not timers:
        return []
    lines = [timer_line(t, now) for t in timers[:20]]
    return [section("*Timed kills*\n" + "\n".join(lines))]
