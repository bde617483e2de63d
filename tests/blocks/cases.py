"""Every message the renderers produce for the fixtures, by name (shared by several tests)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

from bot.render import (
    Message,
    render_audit,
    render_config,
    render_error,
    render_experiment,
    render_gate,
    render_help,
    render_history,
    render_list,
    render_outcome,
    render_plan,
    render_segment,
)
from bot.statsig.models import AuditLogEntry, DynamicConfig, Experiment, Gate, Segment
from tests.blocks import fixtures as fx

CASES: dict[str, Callable[[], Message]] = {
    "gate_full": lambda: render_gate(
        fx.full_gate(),
        overrides_count=3,
        references={"gates": ["checkout_parent"], "experiments": ["pricing_test"]},
        project_id="proj123",
    ),
    "gate_minimal": lambda: render_gate(
        Gate(id="bare", is_enabled=False, status="Disabled"), shareable=False
    ),
    "config_full": lambda: render_config(fx.full_config()),
    "experiment_full": lambda: render_experiment(fx.full_experiment(), project_id="proj123"),
    "segment_rules": lambda: render_segment(fx.rule_segment()),
    "segment_id_list": lambda: render_segment(fx.id_list_segment()),
    "gate_list": lambda: render_list(
        "gate",
        [fx.full_gate(), fx.full_gate(id="new_nav", is_enabled=False, tags=[])],
        page=2,
        has_next=True,
        query="checkout",
    ),
    "gate_list_empty": lambda: render_list("gate", [], page=1, has_next=False, query="nothing"),
    "config_list": lambda: render_list("config", [fx.full_config()], page=1, has_next=False),
    "experiment_list": lambda: render_list(
        "experiment", [fx.full_experiment()], page=1, has_next=True
    ),
    "segment_list": lambda: render_list(
        "segment", [fx.rule_segment(), fx.id_list_segment()], page=1, has_next=False
    ),
    "history_versions": lambda: render_history("gate", "checkout_v2", fx.gate_versions()),
    "history_audit": lambda: render_history("gate", "checkout_v2", fx.audit_entries()),
    "audit": lambda: render_audit(fx.audit_entries(), note="merged with chat approvals"),
    "plan_rollout": lambda: render_plan(fx.rollout_plan()),
    "plan_noop": lambda: render_plan(fx.noop_plan()),
    **{
        f"outcome_{name}": functools.partial(render_outcome, outcome, project_id="proj123")
        for name, outcome in fx.outcomes().items()
    },
    "help_list": lambda: render_help(fx.help_items()),
    "help_topic": lambda: render_help(fx.help_items()[1:2], title="help gate rollout"),
    "error_unknown_gate": lambda: render_error(
        "Unknown gate.",
        "There is no gate named chekout_v2.",
        usage="gate <name>",
        suggestions=["checkout_v2", "checkout_v1"],
    ),
}


def spec_cases(spec: Path) -> dict[str, Message]:
    """Messages for the OpenAPI document's own examples."""
    seg = "/console/v1/segments/{id}"
    return {
        "spec_gate": render_gate(
            Gate.model_validate(fx.spec_example(spec, "/console/v1/gates/{id}", "data"))
        ),
        "spec_config": render_config(
            DynamicConfig.model_validate(
                fx.spec_example(spec, "/console/v1/dynamic_configs/{id}", "data")
            )
        ),
        "spec_experiment": render_experiment(
            Experiment.model_validate(fx.spec_example(spec, "/console/v1/experiments/{id}", "data"))
        ),
        "spec_segment_id_list": render_segment(
            Segment.model_validate(fx.spec_example(spec, seg, "id_list", "data"))
        ),
        "spec_segment_rule_based": render_segment(
            Segment.model_validate(fx.spec_example(spec, seg, "rule_based", "data"))
        ),
        "spec_audit": render_audit(
            [
                AuditLogEntry.model_validate(e)
                for e in fx.spec_example(spec, "/console/v1/audit_logs", "data")
            ]
        ),
    }
