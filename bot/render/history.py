"""What changed, and who changed it: entity versions and audit log entries.

Versions (``GET /gates/{id}/versions``) are full snapshots, newest first; each line says
what differs from the version before it, so the reader does not diff JSON by eye. Audit
entries are Statsig's own one-line change log.

Usage::

    render_history("gate", "checkout_v2", versions)      # snapshots
    render_history("gate", "checkout_v2", audit_entries)  # or audit entries
    render_audit(entries, title="Audit: checkout_v2")
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.render.common import (
    Message,
    context,
    esc,
    esc_plain,
    fmt_pct,
    fmt_time,
    header,
    ident,
    message,
    person,
    plural,
    section,
)
from bot.render.parts import entity_footer, packed_sections
from bot.render.values import ListKind
from bot.statsig.models import AuditLogEntry, DynamicConfig, Experiment, Gate, Rule, Segment

__all__ = ["Version", "audit_line", "render_audit", "render_history", "version_changes"]

Version = Gate | DynamicConfig | Experiment | Segment


def _value(value: object) -> str:
    return "–" if value is None or value == "" else esc(value, 40)


def _rule_key(rule: Rule) -> str:
    return rule.base_id or rule.id or rule.name


def _rule_changes(older: Sequence[Rule], newer: Sequence[Rule]) -> list[str]:
    before = {_rule_key(r): r for r in older}
    after = {_rule_key(r): r for r in newer}
    notes: list[str] = []
    for key, rule in after.items():
        old = before.get(key)
        if old is None:
            notes.append(f"added rule {esc(rule.name, 60)}")
        elif old.pass_percentage != rule.pass_percentage:
            notes.append(
                f"{esc(rule.name, 60)} {fmt_pct(old.pass_percentage)} → "
                f"{fmt_pct(rule.pass_percentage)}"
            )
        elif old.model_dump(exclude={"id"}) != rule.model_dump(exclude={"id"}):
            notes.append(f"edited rule {esc(rule.name, 60)}")
    notes += [f"removed rule {esc(r.name, 60)}" for k, r in before.items() if k not in after]
    return notes


def version_changes(older: Version | None, newer: Version) -> list[str]:
    """Readable differences between two snapshots of one entity (escaped mrkdwn)."""
    if older is None:
        return ["oldest version shown"]
    notes: list[str] = []
    old_enabled = getattr(older, "is_enabled", None)
    new_enabled = getattr(newer, "is_enabled", None)
    if old_enabled is not None and old_enabled != new_enabled:
        notes.append("*enabled*" if new_enabled else "*disabled*")
    for attr in ("status", "description", "allocation"):
        old_value, new_value = getattr(older, attr, None), getattr(newer, attr, None)
        if old_value != new_value:
            notes.append(f"{attr}: {_value(old_value)} → {_value(new_value)}")
    notes += _rule_changes(getattr(older, "rules", []), getattr(newer, "rules", []))
    if older.tags != newer.tags:
        notes.append("tags changed")
    return notes or ["no visible change"]


def _version_line(older: Version | None, newer: Version) -> str:
    label = f"v{newer.version}" if newer.version is not None else "version"
    who = newer.last_modifier_name or newer.last_modifier_email or "someone"
    changes = "; ".join(version_changes(older, newer)[:6])
    return f"*{label}* · {esc(who, 60)} · {fmt_time(newer.last_modified_time)}\n      {changes}"


def audit_line(entry: AuditLogEntry) -> str:
    """One entry as "when · who · what" (mrkdwn); the bot's own entries mention people."""
    when_dt = entry.when
    raw_when = f"{entry.date or ''} {entry.time or ''}".strip()
    when = fmt_time(when_dt) if when_dt else esc(raw_when or "undated", 60)
    who = entry.updated_by or entry.modifier_email or "someone"
    # The bot's own entries (ids "bot:…") name people by user ID: mention them. Their
    # line already names the entity ("requested kill gate checkout_v2: …").
    ours = (entry.id or "").startswith("bot:")
    by = person(who, 60) if ours else esc(who, 60)
    what = esc(entry.change_log or entry.action_type or "changed", 300)
    subject = f" {ident(entry.name, 80)}" if entry.name and not ours else ""
    return f"{when} · {by} · {what}{subject}"


def render_audit(
    entries: Sequence[AuditLogEntry], *, title: str = "Audit log", note: str | None = None
) -> Message:
    """Audit log entries, newest first as Statsig returns them."""
    body: list[dict[str, Any]] = [header(f"📜 {esc_plain(title, 120)}")]
    if note:
        body.append(context([esc(note, 300)]))
    lines = [audit_line(e) for e in entries]
    if lines:
        body += packed_sections(lines, noun="entry", max_chars=9000, max_sections=8)
    else:
        body.append(section("No audit entries."))
    fallback = f"{esc_plain(title, 120)}: {plural(len(entries), 'entry')}"
    return message(fallback, body)


def render_history(
    kind: ListKind,
    entity_id: str,
    items: Sequence[Version] | Sequence[AuditLogEntry],
    *,
    project_id: str | None = None,
    shareable: bool = True,
) -> Message:
    """Recent versions of an entity (newest first), or its audit entries."""
    title = f"History of {entity_id}"
    audit = [item for item in items if isinstance(item, AuditLogEntry)]
    if audit:
        return render_audit(audit, title=title)
    versions = [item for item in items if not isinstance(item, AuditLogEntry)]
    lines = [
        _version_line(versions[i + 1] if i + 1 < len(versions) else None, version)
        for i, version in enumerate(versions)
    ]
    body: list[dict[str, Any]] = [header(f"📜 {esc_plain(title, 120)}")]
    if lines:
        body += packed_sections(lines, noun="version", max_chars=9000, max_sections=8)
    else:
        body.append(section("No versions recorded."))
    tail = entity_footer(
        kind, entity_id, project_id=project_id, shareable=shareable, view="history"
    )
    fallback = f"History of {esc_plain(entity_id, 120)}: {plural(len(versions), 'version')}"
    return message(fallback, body, tail)
