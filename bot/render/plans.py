"""Plans (what would change) and outcomes (what did), as Block Kit.

A plan message is what an approver reads before clicking, so it leads with the before →
after diff, then the blast radius, then anything Statsig itself will demand. It carries no
buttons: the approval message adds its own (``approval_*`` in :mod:`.ids`).

Usage::

    render_plan(plan)          # the diff, blast radius, review warnings
    render_outcome(outcome)    # applied / pending review / nothing to do / failed
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.ops.actions.registry import KILL_ACTION, action_words
from bot.ops.model.plans import (
    EVERY_ENVIRONMENT,
    REVIEW_WARNING,
    FieldChange,
    Outcome,
    OutcomeStatus,
    Plan,
    RuleChange,
)
from bot.ops.model.words import field_words, override_words
from bot.render.common import (
    Message,
    compact_json,
    context,
    esc,
    esc_plain,
    fields_section,
    fmt_number,
    fmt_time,
    header,
    ident,
    link,
    message,
    plural,
    section,
)
from bot.render.parts import packed_sections, reviewers_text
from bot.statsig.links import console_url

__all__ = ["render_outcome", "render_plan", "value_text"]

_MAX_IDS = 20


def value_text(value: Any) -> str:
    """A before/after value: booleans and numbers as words, everything else as code."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return fmt_number(value)
    if isinstance(value, str):
        return ident(value, 200)
    return compact_json(value, 300)


def _field_line(change: FieldChange) -> str:
    field = esc(field_words(change.field), 80)
    return f"• {field}: {value_text(change.before)} → {value_text(change.after)}"


def _rule_line(change: RuleChange) -> str:
    name = esc(change.rule_name, 100)
    if change.kind == "added":
        return f"• ➕ rule {name} added"
    if change.kind == "removed":
        return f"• ➖ rule {name} removed"
    edits = "; ".join(
        f"{esc(field_words(c.field), 60)} {value_text(c.before)} → {value_text(c.after)}"
        for c in change.changes[:6]
    )
    return f"• ✏️ rule {name}: {edits or 'edited'}"


def _ids_line(label: str, ids: Sequence[str], *, overrides: bool = False) -> str:
    """Segment IDs as code spans; override entries in words ("u1 passes in production")."""
    worded = [override_words(i) if overrides else i for i in ids[:_MAX_IDS]]
    if worded != list(ids[:_MAX_IDS]):
        shown = "; ".join(esc(w, 120) for w in worded)
    else:
        shown = ", ".join(ident(i, 60) for i in ids[:_MAX_IDS])
    more = f" (+{len(ids) - _MAX_IDS} more)" if len(ids) > _MAX_IDS else ""
    return f"• {label} ({len(ids)}): {shown}{more}"


def _diff_blocks(plan: Plan) -> list[dict[str, Any]]:
    if plan.is_noop:
        return [section("*Changes*\nNothing to change: it is already in the intended state.")]
    lines = [_field_line(c) for c in plan.changes]
    lines += [_rule_line(c) for c in plan.rule_changes]
    is_segment = plan.entity_kind == "segment"
    what = "IDs" if is_segment else "overrides"
    if plan.overrides_added:
        lines.append(_ids_line(f"{what} added", plan.overrides_added, overrides=not is_segment))
    if plan.overrides_removed:
        lines.append(_ids_line(f"{what} removed", plan.overrides_removed, overrides=not is_segment))
    return [section("*Changes* (before → after)"), *packed_sections(lines, noun="change")]


NOT_USED = "not used by other gates, configs or experiments"


def _references_text(plan: Plan) -> str:
    """ "2 gates, 1 experiment, 0 configs", or why they were not counted (never zeros)."""
    radius = plan.blast_radius
    gates, experiments = radius.gate_references, radius.experiment_references
    configs = radius.config_references
    if gates is None or experiments is None or configs is None:
        if plan.action == KILL_ACTION:
            return "not checked (kills skip this to stay fast)"
        return "not checked"
    if not (gates or experiments or configs):  # the gate card's words for the same fact
        return NOT_USED
    return ", ".join(
        [plural(gates, "gate"), plural(experiments, "experiment"), plural(configs, "config")]
    )


def _blast_blocks(plan: Plan) -> list[dict[str, Any]]:
    radius = plan.blast_radius
    named = [e for e in radius.environments[:8] if e != EVERY_ENVIRONMENT]
    everywhere = not radius.environments or len(named) < len(radius.environments[:8])
    envs = EVERY_ENVIRONMENT if everywhere else ", ".join(ident(e, 30) for e in named)
    refs = _references_text(plan)
    return fields_section(
        [
            ("Checks/hour", fmt_number(radius.checks_per_hour)),
            ("Environments", envs),
            ("Used by", refs),
            ("Tags", ", ".join(ident(t, 40) for t in plan.tags[:10]) or "–"),
        ]
    )


def _warning_blocks(plan: Plan) -> list[dict[str, Any]]:
    review = [w for w in plan.warnings if w.startswith(REVIEW_WARNING)]
    lines = [f"⚠️ {esc(w, 400)}" for w in review]
    if plan.review_required:
        if not review:  # plans made before the warning said why
            lines.append("⚠️ Statsig requires a review of this entity; the change may wait for it")
        who = reviewers_text(plan.allowed_reviewers)
        if who:
            lines.append(f"👥 Statsig reviewers: {who}")
    lines += [f"⚠️ {esc(w, 400)}" for w in plan.warnings if w not in review]
    return packed_sections(lines, noun="warning", max_chars=2500) if lines else []


def render_plan(plan: Plan, *, with_reason: bool = True) -> Message:
    """The change a person is asked to approve; no buttons (the approval adds them).

    ``with_reason=False`` leaves the reason out, for a message that shows it already
    (the approval card names who asked and why above the plan).
    """
    target = ident(plan.entity_id)
    if plan.entity_name and plan.entity_name != plan.entity_id:
        target += f" ({esc(plan.entity_name, 100)})"
    intro = f"*Action* {esc(action_words(plan.action), 60)} {target}"
    if plan.reason and with_reason:
        intro += f"\n*Reason* {esc(plan.reason, 500)}"
    body: list[dict[str, Any]] = [
        header(f"📝 Plan: {esc_plain(plan.summary, 130)}"),
        section(intro),
        *_diff_blocks(plan),
        *_blast_blocks(plan),
        *_warning_blocks(plan),
    ]
    details = []
    if plan.base_version is not None:
        details.append(f"based on version {plan.base_version}")
    if plan.base_modified_time is not None:
        details.append(f"last modified {fmt_time(plan.base_modified_time)}")
    if plan.absolute:
        details.append("absolute change: still applies if the entity moves")
    tail = [context(details)] if details else []
    return message(f"Plan: {esc_plain(plan.summary, 300)}", body, tail)


_OUTCOME_ICONS = {
    OutcomeStatus.APPLIED: "✅",
    OutcomeStatus.PENDING_REVIEW: "🕒",
    OutcomeStatus.NOOP: "➖",
    OutcomeStatus.FAILED: "❌",
    OutcomeStatus.UNKNOWN: "❓",
}


def _states_nothing(outcome: Outcome) -> bool:
    """Whether the message leaves the resulting on/off state unsaid ("Done: …" does; "Killed:
    gate x is disabled." and "x was already disabled." say it themselves)."""
    return outcome.status is OutcomeStatus.APPLIED and outcome.message.startswith("Done:")


def render_outcome(outcome: Outcome, *, project_id: str | None = None) -> Message:
    """What execution did, as read back from Statsig.

    ``outcome.message`` is a whole sentence that already says what happened ("Done: …",
    "Nothing to do: …", "Killed: …", "KILL FAILED: …"), because it is also shown on its own
    (DMs, click answers); so the heading is only the status icon and that sentence.
    """
    icon = _OUTCOME_ICONS.get(outcome.status, "•")
    lines = [f"{icon} {esc(outcome.message, 1000)}"]
    if outcome.review_id and outcome.review_id not in outcome.message:
        lines.append(f"Statsig review {ident(outcome.review_id, 60)} awaits approval.")
    if outcome.error and outcome.error not in outcome.message:
        lines.append(f"Error: {esc(outcome.error, 1000)}")
    enabled = (outcome.after or {}).get("isEnabled")
    if _states_nothing(outcome) and isinstance(enabled, bool):
        lines.append("Now " + ("enabled" if enabled else "disabled") + ".")
    url = console_url(outcome.entity_kind, outcome.entity_id, project_id)
    footer = context(
        [f"{esc(outcome.entity_kind, 20)} {ident(outcome.entity_id)}", link(url, "Open in Statsig")]
    )
    fallback = f"{icon} {esc_plain(outcome.message, 500)}"
    return message(fallback, [section("\n".join(lines))], [footer])
