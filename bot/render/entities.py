"""Summaries of one gate, dynamic config, experiment or segment, as Block Kit.

Pure functions of the models: the same blocks go to Slack and, through
:mod:`bot.shell.render`, to the terminal. Each summary ends with the console link and a
"Share in channel" button (``shareable=False`` drops it, for the copy that is shared).

Usage::

    msg = render_gate(gate, overrides_count=3, references={"gates": ["checkout"]})
    await respond(text=msg.text, blocks=msg.blocks)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.ops.model.words import gate_type_words, segment_type_words, status_words
from bot.render.common import (
    Message,
    compact_json,
    divider,
    esc,
    esc_plain,
    fields_section,
    fmt_number,
    fmt_pct,
    fmt_time,
    header,
    ident,
    message,
    plural,
    section,
)
from bot.render.parts import (
    entity_footer,
    last_change_text,
    owner_text,
    packed_sections,
    review_text,
    rule_sections,
    tags_text,
)
from bot.render.plans import NOT_USED
from bot.statsig.models import DynamicConfig, Experiment, ExperimentGroup, Gate, Rule, Segment

__all__ = ["render_config", "render_experiment", "render_gate", "render_segment"]

_DESCRIPTION_LIMIT = 600
# Statuses after which an experiment no longer runs, even without an end date.
_ENDED = frozenset({"experiment_stopped", "decision_made", "abandoned", "archived"})


def _intro(entity_id: str, name: str | None, description: str | None) -> dict[str, Any]:
    line = ident(entity_id)
    if name and name != entity_id:
        line += f" · {esc(name, 150)}"
    if description:
        line += f"\n{esc(description, _DESCRIPTION_LIMIT)}"
    return section(line)


def _enabled(value: bool) -> str:
    return "✅ enabled" if value else "⛔ disabled"


def _rules_environments(rules: Sequence[Rule]) -> str:
    if not rules:
        return "–"
    if any(rule.environments is None for rule in rules):
        return "all environments"  # the plans' words for the same rules
    names = sorted({env for rule in rules for env in rule.environments or []})
    return ", ".join(ident(env, 30) for env in names[:8]) or "none"


def _references_text(references: Mapping[str, Sequence[str]] | None) -> str | None:
    if references is None:
        return None
    parts = []
    for kind, ids in references.items():
        if not ids:
            continue
        shown = ", ".join(ident(i, 60) for i in ids[:3])
        more = f" (+{len(ids) - 3} more)" if len(ids) > 3 else ""
        parts.append(f"{esc(kind, 30)} ({len(ids)}): {shown}{more}")
    return "\n".join(parts) if parts else NOT_USED


def render_gate(
    gate: Gate,
    *,
    overrides_count: int | None = None,
    references: Mapping[str, Sequence[str]] | None = None,
    project_id: str | None = None,
    shareable: bool = True,
) -> Message:
    """A feature gate: state, rules with pass %, ownership, review and a console link.

    ``references`` maps a kind ("gates", "experiments", "configs") to the IDs that use
    this gate; ``None`` means the caller did not look them up.
    """
    gate_type = esc(gate_type_words(gate.type) if gate.type else "–", 40)
    if gate.type_reason and gate.type_reason != "NONE":
        gate_type += f" ({esc(gate.type_reason, 60)})"
    pairs = [
        ("Enabled", _enabled(gate.is_enabled)),
        ("Status", esc(gate.status, 40)),
        ("Type", gate_type),
        ("Checks/hour", fmt_number(gate.checks_per_hour)),
        ("Environments", _rules_environments(gate.rules)),
        ("Overrides", "not loaded" if overrides_count is None else fmt_number(overrides_count)),
        ("Owner", owner_text(gate.owner)),
        ("Tags", tags_text(gate.tags)),
        ("Last change", last_change_text(gate)),
        ("Review", review_text(gate.review_settings, gate.active_review)),
    ]
    body = [
        header(f"🚦 Gate: {esc_plain(gate.display_name, 120)}"),
        _intro(gate.id, gate.name, gate.description),
        *fields_section(pairs),
    ]
    refs = _references_text(references)
    if refs:
        body.append(section(f"*Used by*\n{refs}"))
    body += [divider(), *rule_sections(gate.rules)]
    fallback = (
        f"Gate {esc_plain(gate.id, 120)}: {'enabled' if gate.is_enabled else 'disabled'}, "
        f"{esc_plain(gate.status, 40)}, {plural(len(gate.rules), 'rule')}"
    )
    extra = [f"version {gate.version}" if gate.version is not None else "", _id_type(gate)]
    tail = entity_footer("gate", gate.id, project_id=project_id, extra=extra, shareable=shareable)
    return message(fallback, body, tail)


def _id_type(entity: Any) -> str:
    id_type = getattr(entity, "id_type", None)
    return f"unit: {esc(id_type, 40)}" if id_type else ""


def render_config(
    config: DynamicConfig, *, project_id: str | None = None, shareable: bool = True
) -> Message:
    """A dynamic config: state, rules with their return values, default value."""
    pairs = [
        ("Enabled", _enabled(config.is_enabled)),
        ("Status", esc(config.status or "–", 40)),
        ("Environments", _rules_environments(config.rules)),
        ("Owner", owner_text(config.owner)),
        ("Tags", tags_text(config.tags)),
        ("Last change", last_change_text(config)),
        ("Review", review_text(config.review_settings, config.active_review)),
    ]
    body = [
        header(f"🔧 Config: {esc_plain(config.display_name, 120)}"),
        _intro(config.id, config.name, config.description),
        *fields_section(pairs),
        section(f"*Default value*\n{compact_json(config.default_value, 1500)}"),
        divider(),
        *rule_sections(config.rules, with_return_value=True),
    ]
    state = "enabled" if config.is_enabled else "disabled"
    fallback = f"Config {esc_plain(config.id, 120)}: {state}, {plural(len(config.rules), 'rule')}"
    extra = [f"version {config.version}" if config.version is not None else "", _id_type(config)]
    tail = entity_footer(
        "config", config.id, project_id=project_id, extra=extra, shareable=shareable
    )
    return message(fallback, body, tail)


def _group_line(group: ExperimentGroup, experiment: Experiment) -> str:
    notes = []
    if group.id and group.id == experiment.control_group_id:
        notes.append("control")
    if group.id and group.id == experiment.launched_group_id:
        notes.append("launched")
    if group.disabled:
        notes.append("disabled")
    suffix = f" ({', '.join(notes)})" if notes else ""
    return f"• {ident(group.name, 80)} — {fmt_pct(group.size)}{suffix}"


def _decision_text(experiment: Experiment) -> str:
    if not experiment.launched_group_id and not experiment.decision_reason:
        return "–"
    launched = next(
        (g.name for g in experiment.groups if g.id == experiment.launched_group_id),
        experiment.launched_group_id,
    )
    text = f"launched {ident(launched, 80)}" if launched else "no group launched"
    if experiment.decision_reason:
        text += f": {esc(experiment.decision_reason, 300)}"
    if experiment.decision_time:
        text += f" ({fmt_time(experiment.decision_time)})"
    return text


def _dates_text(experiment: Experiment) -> str:
    start, end = experiment.start_time, experiment.end_time
    if start is None and end is None:
        if experiment.duration:
            return f"planned {plural(experiment.duration, 'day')}"
        return "not started"
    if end is None and experiment.status in _ENDED:  # stopped without an end date
        return f"{fmt_time(start)} → {status_words(experiment.status)}"
    return f"{fmt_time(start)} → {fmt_time(end) if end else 'running'}"


def _segment_size(segment: Segment) -> str:
    """How many IDs an ID list holds; a rule-based segment has rules, not a count."""
    if segment.type == "rule_based":
        return "– (rule-based)"
    return fmt_number(segment.count) if segment.count is not None else "–"


def render_experiment(
    experiment: Experiment, *, project_id: str | None = None, shareable: bool = True
) -> Message:
    """An experiment: status, groups, allocation, dates, decision and hypothesis."""
    allocation = f"{fmt_pct(experiment.allocation)} of layer"
    if experiment.layer_id:
        allocation += f" {ident(experiment.layer_id, 80)}"
    pairs = [
        ("Status", esc(status_words(experiment.status), 40)),
        ("Allocation", allocation),
        ("Dates", _dates_text(experiment)),
        ("Decision", _decision_text(experiment)),
        ("Health check", esc(experiment.health_check_status or "–", 40)),
        (
            "Targeting gate",
            ident(experiment.targeting_gate_id, 80) if experiment.targeting_gate_id else "–",
        ),
        ("Owner", owner_text(experiment.owner)),
        ("Tags", tags_text(experiment.tags)),
        ("Last change", last_change_text(experiment)),
        ("Review", review_text(experiment.review_settings, experiment.active_review)),
    ]
    body = [
        header(f"🧪 Experiment: {esc_plain(experiment.display_name, 120)}"),
        _intro(experiment.id, experiment.name, experiment.description),
        *fields_section(pairs),
    ]
    if experiment.hypothesis:
        body.append(section(f"*Hypothesis*\n{esc(experiment.hypothesis, 1000)}"))
    metrics = [ident(m.name, 60) for m in experiment.primary_metrics]
    if metrics:
        shown = ", ".join(metrics[:10])
        more = f" (+{len(metrics) - 10} more)" if len(metrics) > 10 else ""
        body.append(section(f"*Primary metrics*\n{shown}{more}"))
    body += [divider(), section(f"*Groups* ({len(experiment.groups)})")]
    lines = [_group_line(g, experiment) for g in experiment.groups]
    body += packed_sections(lines or ["No groups."], noun="group", max_chars=4000)
    fallback = (
        f"Experiment {esc_plain(experiment.id, 120)}: {esc_plain(experiment.status, 40)}, "
        f"{plural(len(experiment.groups), 'group')}, allocation {fmt_pct(experiment.allocation)}"
    )
    tail = entity_footer(
        "experiment",
        experiment.id,
        project_id=project_id,
        extra=[_id_type(experiment)],
        shareable=shareable,
    )
    return message(fallback, body, tail)


def render_segment(
    segment: Segment, *, project_id: str | None = None, shareable: bool = True
) -> Message:
    """A segment: its kind, size (ID lists) or rules (rule-based)."""
    pairs = [
        ("Enabled", _enabled(segment.is_enabled)),
        ("Type", esc(segment_type_words(segment.type), 40)),
        ("IDs", _segment_size(segment)),
        ("Owner", owner_text(segment.owner)),
        ("Tags", tags_text(segment.tags)),
        ("Last change", last_change_text(segment)),
    ]
    body = [
        header(f"👥 Segment: {esc_plain(segment.display_name, 120)}"),
        _intro(segment.id, segment.name, segment.description),
        *fields_section(pairs),
    ]
    if segment.rules or segment.type == "rule_based":
        body += [divider(), *rule_sections(segment.rules)]
    kind = segment_type_words(segment.type)
    fallback = f"Segment {esc_plain(segment.id, 120)}: {esc_plain(kind, 40)}"
    if segment.count is not None and segment.type != "rule_based":
        fallback += f", {plural(segment.count, 'ID')}"
    tail = entity_footer(
        "segment",
        segment.id,
        project_id=project_id,
        extra=[_id_type(segment)],
        shareable=shareable,
    )
    return message(fallback, body, tail)
