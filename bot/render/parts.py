"""Pieces the entity, list and history renderers share: rules, owners, reviews, footers.

Every function returns escaped mrkdwn (or blocks) and bounds its own size, so callers can
compose them without re-checking limits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.render.common import (
    ELLIPSIS,
    actions,
    button,
    compact_json,
    context,
    esc,
    fmt_pct,
    fmt_time,
    ident,
    link,
    plural,
    section,
)
from bot.render.ids import SHARE_IN_CHANNEL
from bot.render.values import ListKind, ShareRef, ShareView
from bot.statsig.links import console_url
from bot.statsig.models import (
    ActiveReview,
    Condition,
    Owner,
    ReviewSettings,
    Rule,
)

__all__ = [
    "reviewers_text",
    "condition_text",
    "entity_footer",
    "environments_text",
    "last_change_text",
    "more_note",
    "owner_text",
    "packed_sections",
    "review_text",
    "rule_line",
    "rule_sections",
    "tags_text",
]

_SECTION_BUDGET = 2900
_MAX_CONDITIONS = 5
_MAX_VALUES = 3
_NO_OPERATOR_TYPES = {"public"}


def more_note(hidden: int, noun: str) -> dict[str, Any]:
    """The "…and N more rules" line shown instead of overflowing a message (``noun``:
    singular, e.g. ``"rule"``)."""
    return context([f"{ELLIPSIS}and {plural(hidden, 'more ' + noun)}"])


def packed_sections(
    lines: Sequence[str], *, noun: str, max_chars: int = 6000, max_sections: int = 6
) -> list[dict[str, Any]]:
    """Pack lines into as few sections as fit; summarise whatever does not fit.

    ``noun`` names one line (singular, e.g. ``"rule"``) for the "…and N more" note.
    """
    blocks: list[dict[str, Any]] = []
    current: list[str] = []
    used = 0
    shown = 0
    for line in lines:
        size = len(line) + 1
        current_size = sum(len(item) + 1 for item in current)
        if current and current_size + size > _SECTION_BUDGET:
            if len(blocks) + 1 >= max_sections:
                break
            blocks.append(section("\n".join(current)))
            current = []
        if used + size > max_chars:
            break
        current.append(line)
        used += size
        shown += 1
    if current:
        blocks.append(section("\n".join(current)))
    if shown < len(lines):
        blocks.append(more_note(len(lines) - shown, noun))
    return blocks


def _values_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        shown = [ident(item, 40) for item in value[:_MAX_VALUES]]
        extra = len(value) - len(shown)
        return ", ".join(shown) + (f" (+{extra} more)" if extra > 0 else "")
    if isinstance(value, dict):
        return compact_json(value, 80)
    return ident(value, 60)


def condition_text(condition: Condition) -> str:
    """``type operator targetValue``, with the custom field or unit named when present."""
    if condition.type in _NO_OPERATOR_TYPES:
        return "everyone"
    subject = esc(condition.type, 40)
    qualifier = condition.field or condition.custom_id
    if qualifier:
        subject += f" {ident(qualifier, 40)}"
    parts = [subject]
    if condition.operator:
        parts.append(esc(condition.operator, 40))
    values = _values_text(condition.target_value)
    if values:
        parts.append(values)
    return " ".join(parts)


def environments_text(environments: Sequence[str] | None) -> str:
    if environments is None:
        return "all environments"
    if not environments:
        return "no environments"
    return ", ".join(ident(env, 30) for env in environments[:6]) + (
        f" (+{len(environments) - 6} more)" if len(environments) > 6 else ""
    )


def rule_line(index: int, rule: Rule, *, with_return_value: bool = False) -> str:
    """One rule as two short lines: name, pass %, environments; then its conditions."""
    head = (
        f"*{index}.* {esc(rule.name, 100)} — *{fmt_pct(rule.pass_percentage)}* pass"
        f" · {environments_text(rule.environments)}"
    )
    conditions = [condition_text(c) for c in rule.conditions[:_MAX_CONDITIONS]]
    hidden = len(rule.conditions) - len(conditions)
    if hidden > 0:
        conditions.append(f"+{plural(hidden, 'more condition')}")
    body = " *and* ".join(conditions) if conditions else "everyone"
    if with_return_value and rule.return_value is not None:
        body += f" → returns {compact_json(rule.return_value, 150)}"
    return f"{head}\n      {body}"


def rule_sections(
    rules: Sequence[Rule], *, with_return_value: bool = False, max_chars: int = 6000
) -> list[dict[str, Any]]:
    """The rules of an entity, heading included, summarised when there are too many."""
    if not rules:
        return [section("*Rules*\nNo rules: only the default applies.")]
    lines = [
        rule_line(i, rule, with_return_value=with_return_value)
        for i, rule in enumerate(rules, start=1)
    ]
    heading = section(f"*Rules* ({len(rules)})")
    return [heading, *packed_sections(lines, noun="rule", max_chars=max_chars)]


def owner_text(owner: Owner | None) -> str:
    if owner is None or not (owner.owner_name or owner.owner_email):
        return "–"
    name = esc(owner.owner_name or owner.owner_email or "", 80)
    if owner.owner_email and owner.owner_name:
        name += f" ({esc(owner.owner_email, 80)})"
    return name


def last_change_text(entity: Any) -> str:
    """Who last changed an entity, and when (``lastModifier*`` fields)."""
    who = getattr(entity, "last_modifier_name", None) or getattr(
        entity, "last_modifier_email", None
    )
    when = getattr(entity, "last_modified_time", None)
    if when is None:
        return esc(who, 80) if who else "–"
    return f"{esc(who or 'someone', 80)}, {fmt_time(when)}"


def tags_text(tags: Sequence[str]) -> str:
    if not tags:
        return "–"
    shown = ", ".join(ident(tag, 40) for tag in tags[:10])
    return shown + (f" (+{len(tags) - 10} more)" if len(tags) > 10 else "")


def reviewers_text(reviewers: Sequence[str]) -> str:
    """Statsig reviewers (emails, as ``allowedReviewers`` gives them), for the gate card,
    plans and review notices alike, so the lists agree (escaped mrkdwn)."""
    who = ", ".join(esc(r, 60) for r in reviewers[:8])
    return who + (f" (+{len(reviewers) - 8} more)" if len(reviewers) > 8 else "")


def review_text(settings: ReviewSettings | None, active: ActiveReview | None) -> str:
    """Statsig's own review state: an open review first, then the requirement."""
    parts: list[str] = []
    if active is not None:
        parts.append(f"open review {ident(active.review_id, 40)}: {esc(active.review_status, 40)}")
    if settings is not None and settings.required_review:
        who = reviewers_text([r.email or r.name or r.id for r in settings.allowed_reviewers])
        parts.append(f"required{' — reviewers: ' + who if who else ''}")
    return "\n".join(parts) if parts else "not required"


def entity_footer(
    kind: ListKind,
    entity_id: str,
    *,
    project_id: str | None,
    extra: Sequence[str] = (),
    shareable: bool = True,
    view: ShareView = "summary",
) -> list[dict[str, Any]]:
    """Console link and details as context, plus the "Share in channel" button."""
    blocks = [context([link(console_url(kind, entity_id, project_id), "Open in Statsig"), *extra])]
    if shareable:
        ref = ShareRef(kind, entity_id, view).encode()
        blocks.append(actions([button("Share in channel", SHARE_IN_CHANNEL, ref)]))
    return blocks
