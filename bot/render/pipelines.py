"""A release pipeline still running on a killed gate, in words, with the two ways to stop it.

A kill disables the gate, but a release pipeline in progress keeps moving through its
phases and may change the gate's rules again (or turn it back on). The kill message's
thread names every such trigger with **Pause pipeline** and **Abort pipeline**.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.render.common import (
    Message,
    actions,
    button,
    context,
    esc,
    esc_plain,
    ident,
    message,
    person,
    section,
)
from bot.render.ids import PIPELINE_ABORT, PIPELINE_PAUSE

__all__ = ["PipelineView", "pipeline_value", "render_pipeline_done", "render_running_pipelines"]

PipelineView = tuple[str, str, str, str]
"""``(trigger ID, current phase ID, current phase name, description)``."""


def pipeline_value(trigger_id: str, phase_id: str) -> str:
    return f"{trigger_id}|{phase_id}"


def render_running_pipelines(gate_id: str, running: Sequence[PipelineView]) -> Message:
    """Every running trigger on the killed gate, each with Pause and Abort."""
    gate = ident(gate_id)
    body: list[dict[str, Any]] = [
        section(
            f"⚠️ *A release pipeline is still running on gate {gate}*: it may change the "
            "gate's rules again while it is killed. Pause it (it can be resumed in Statsig) or "
            "abort it."
        )
    ]
    for trigger_id, phase_id, phase, description in running[:10]:
        what = esc(description or trigger_id, 200)
        body.append(section(f"*{what}* · phase {esc(phase or phase_id or '?', 80)}"))
        buttons = [button("Abort pipeline", PIPELINE_ABORT, trigger_id, style="danger")]
        if phase_id:
            buttons.insert(0, button("Pause pipeline", PIPELINE_PAUSE,
                                     pipeline_value(trigger_id, phase_id)))  # fmt: skip
        body.append(actions(buttons))
    body.append(context([f"trigger {ident(t[0], 80)}" for t in running[:10]]))
    fallback = f"A release pipeline is still running on gate {esc_plain(gate_id, 100)}"
    return message(fallback, body)


def render_pipeline_done(trigger_id: str, verb: str, by: str, status: str) -> Message:
    """After Pause or Abort: who did it, and the status Statsig now reports."""
    text = (
        f"⏸️ {person(by)} {verb} release pipeline trigger {ident(trigger_id, 80)}; Statsig "
        f"reports it {esc(status.lower() or 'changed', 40)}."
    )
    return message(esc_plain(text, 300), [section(text)])
