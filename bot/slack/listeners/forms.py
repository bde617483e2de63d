"""Form flows shared by commands, buttons and submissions: open, preview, build commands.

Opening a form follows the open-a-loading-view-then-update pattern: ``views.open`` runs
first, while the trigger (valid 3 seconds, single use) is fresh, and only then do we read
Statsig and ``views.update`` the loading view into the real form. A form never talks to
Statsig to change anything: on submit it becomes the same command text a person could type
(``gate rollout new_nav 25 --rule 'Beta users' 'ramp up'``), so the core, the policy and
the audit trail see exactly one kind of request.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import structlog
from slack_sdk.errors import SlackApiError

from bot.chatops.replies import Context, Reply
from bot.ops.commands.models import EditCommand
from bot.render.errors import render_error
from bot.slack.deps import SlackDeps
from bot.slack.listeners.support import Target, send_private, slack_error_code
from bot.slack.views import modals
from bot.slack.views.modals import ModalMeta, RuleChoice

__all__ = [
    "UpdateResult",
    "ViewRef",
    "checked",
    "chosen_rule",
    "kill_command",
    "form_values",
    "open_edit_form",
    "open_loading",
    "open_overrides_form",
    "overrides_command",
    "parse_ids",
    "parse_pct",
    "preview_rollout",
    "replace_loading",
    "restore_anyway_command",
    "rollout_command",
    "selected",
    "typed",
]

_log = structlog.get_logger(__name__)
_ID_SPLIT = re.compile(r"[\s,;]+")
_ID_OK = re.compile(r"^[\w.@:+\-]{1,200}$")
MAX_IDS = 1000


def form_values(view: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """``view.state.values`` as ``{block_id: {action_id: element state}}``."""
    state = view.get("state") or {}
    values = state.get("values") or {}
    return values if isinstance(values, dict) else {}


def _element(view: Mapping[str, Any], block: str, action: str) -> dict[str, Any]:
    element = form_values(view).get(block, {}).get(action)
    return element if isinstance(element, dict) else {}


def typed(view: Mapping[str, Any], block: str, action: str) -> str:
    """A text or number input's value, stripped ("" when empty)."""
    return str(_element(view, block, action).get("value") or "").strip()


def selected(view: Mapping[str, Any], block: str, action: str) -> str:
    """A select's chosen option value, or a conversations select's channel ("" if none)."""
    element = _element(view, block, action)
    option = element.get("selected_option")
    if isinstance(option, dict):
        return str(option.get("value") or "")
    return str(element.get("selected_conversation") or element.get("selected_channel") or "")


def parse_pct(text: str) -> float | None:
    """A pass percentage from 0 to 100, or ``None`` when it is not one."""
    try:
        value = float(text.rstrip("%").strip())
    except ValueError:
        return None
    return value if 0.0 <= value <= 100.0 else None


def parse_ids(text: str) -> tuple[list[str], list[str]]:
    """IDs split on commas, spaces and lines: ``(valid ids, rejected tokens)``."""
    tokens = [t for t in _ID_SPLIT.split(text) if t]
    good = list(dict.fromkeys(t for t in tokens if _ID_OK.match(t)))
    return good, [t for t in tokens if not _ID_OK.match(t)]


def _q(value: str) -> str:
    return shlex.quote(value)


def rollout_command(gate: str, rule: str, pct: float, reason: str) -> str:
    text = f"gate rollout {_q(gate)} {pct:g} --rule {_q(rule)}"
    return f"{text} -- {_q(reason)}" if reason else text


def overrides_command(gate: str, mode: str, ids: list[str], env: str, reason: str) -> str:
    text = f"gate override {_q(gate)} {_q(mode)} {_q(','.join(ids))}"
    if env and env != modals.ALL_ENVIRONMENTS:
        text += f" --env {_q(env)}"
    return f"{text} -- {_q(reason)}" if reason else text


def kill_command(
    gate: str, reason: str, *, window: str | None = None, auto_restore: bool = False
) -> str:
    """The shortcut's "Disable a gate" is the incident kill: snapshot, break glass for
    responders, announcements and a Restore button, exactly as ``/statsig kill`` (with
    ``--for`` and ``--auto-restore`` when the form says so)."""
    text = f"kill {_q(gate)}"
    if window:
        text += f" --for {_q(window)}" + (" --auto-restore" if auto_restore else "")
    return f"{text} -- {_q(reason)}" if reason else text


def restore_anyway_command(request_id: str, reason: str) -> str:
    """A refused restore's "Restore snapshot anyway", as the command a person could type."""
    return f"restore {_q(request_id)} --anyway -- {_q(reason)}"


def checked(view: Mapping[str, Any], block: str, action: str) -> set[str]:
    """The values of a checkboxes element's ticked options."""
    options = _element(view, block, action).get("selected_options")
    if not isinstance(options, list):
        return set()
    return {str(o.get("value")) for o in options if isinstance(o, dict)}


@dataclass(frozen=True)
class ViewRef:
    """A view's ``id`` and ``hash``; the hash guards ``views.update`` against racing edits."""

    id: str
    hash: str = ""


UpdateResult = Literal["updated", "conflict", "failed"]


async def open_loading(deps: SlackDeps, trigger_id: str, title: str) -> ViewRef | None:
    """Spend the trigger on a loading view at once; ``None`` when Slack refused it."""
    try:
        opened = await deps.client.views_open(
            trigger_id=trigger_id, view=modals.loading_modal(title)
        )
    except SlackApiError as exc:
        _log.warning("slack.views_open_failed", error=slack_error_code(exc))
        return None
    view = opened["view"]
    return ViewRef(str(view["id"]), str(view.get("hash") or ""))


async def update_view(
    deps: SlackDeps, view_id: str, view: dict[str, Any], *, view_hash: str | None = None
) -> tuple[UpdateResult, ViewRef | None]:
    """``views.update``, guarded by ``view_hash`` when given; never raises.

    ``conflict`` means the view changed since we read it (the person typed on, or another
    update landed first): the newer view wins and ours is dropped.
    """
    try:
        if view_hash:
            response = await deps.client.views_update(view_id=view_id, view=view, hash=view_hash)
        else:
            response = await deps.client.views_update(view_id=view_id, view=view)
    except SlackApiError as exc:
        code = slack_error_code(exc)
        if code == "hash_conflict":
            _log.info("slack.views_update_superseded", view_id=view_id)
            return "conflict", None
        _log.warning("slack.views_update_failed", error=code)
        return "failed", None
    updated = response.get("view") or {}
    return "updated", ViewRef(str(updated.get("id") or view_id), str(updated.get("hash") or ""))


async def replace_loading(
    deps: SlackDeps, ref: ViewRef, view: dict[str, Any], title: str
) -> ViewRef | None:
    """Turn the loading view into ``view``; if Slack refuses, show an error instead.

    Without the fallback a refused update would leave "Loading…" on screen forever. A
    conflict means the loading view was already replaced, so nothing is overwritten then.
    """
    result, updated = await update_view(deps, ref.id, view, view_hash=ref.hash)
    if result == "failed":
        error = render_error("I could not show this form", "Please close it and try again.")
        await update_view(deps, ref.id, modals.message_modal(title, error))
    return updated


async def open_edit_form(
    deps: SlackDeps, command: EditCommand, trigger_id: str, target: Target
) -> None:
    """``/statsig edit gate <name>``: the rollout form (with a way to the overrides form)."""
    if command.noun != "gate":
        await send_private(deps, target, render_error(
            f"There is no form for {command.noun}s yet",
            "Forms exist for gates: /statsig edit gate <name>. Every change also has a "
            "command; see /statsig help.",
        ))  # fmt: skip
        return
    ref = await open_loading(deps, trigger_id, "Gate rollout")
    if ref is None:
        await send_private(deps, target, render_error(
            "Slack did not let me open the form", "Please run the command again."
        ))  # fmt: skip
        return
    form = await _rollout_form(deps, command.name, target.channel_id or "")
    await replace_loading(deps, ref, form, "Gate rollout")


async def _rollout_form(deps: SlackDeps, gate_id: str, channel: str) -> dict[str, Any]:
    if len(gate_id) > modals.MAX_META_ID:
        return modals.message_modal("Gate rollout", render_error(
            "That is not a gate name", f"Gate IDs have at most {modals.MAX_META_ID} characters."
        ))  # fmt: skip
    gate = await deps.chatops.gate_for_form(gate_id)
    if isinstance(gate, Reply):
        return modals.message_modal("Gate rollout", gate.message)
    rules = [
        RuleChoice(r.name, r.pass_percentage, ref=r.base_id or r.id or r.name) for r in gate.rules
    ]
    return modals.rollout_modal(ModalMeta(gate=gate.id, channel=channel), rules)


async def open_overrides_form(deps: SlackDeps, view: Mapping[str, Any]) -> None:
    """Replace the current form (``view`` from the click) with the overrides form."""
    meta = ModalMeta.decode(view.get("private_metadata"))
    current = ViewRef(str(view.get("id")), str(view.get("hash") or ""))
    loading = modals.loading_modal("Gate overrides")
    _, ref = await update_view(deps, current.id, loading, view_hash=current.hash)
    if ref is None:
        return  # superseded, or the view is gone: nothing of ours is on screen
    environments = await deps.chatops.environment_names()
    await replace_loading(deps, ref, modals.overrides_modal(meta, environments), "Gate overrides")


def chosen_rule(view: Mapping[str, Any]) -> tuple[str, float] | None:
    """The selected rule's ``(reference, current pass %)`` from its option value."""
    return modals.parse_rule_value(selected(view, modals.ROLLOUT_RULE_BLOCK, modals.ROLLOUT_RULE))


async def preview_rollout(
    deps: SlackDeps, view: Mapping[str, Any], ctx: Context
) -> dict[str, Any] | None:
    """The rollout form with the plan for what is filled in so far (``None``: incomplete)."""
    meta = ModalMeta.decode(view.get("private_metadata"))
    rule = chosen_rule(view)
    pct_text = typed(view, modals.ROLLOUT_PCT_BLOCK, modals.ROLLOUT_PCT)
    pct = parse_pct(pct_text)
    if not meta.gate or rule is None or pct is None:
        return None
    reason = typed(view, modals.REASON_BLOCK, modals.REASON)
    result = await deps.chatops.handle(rollout_command(meta.gate, rule[0], pct, reason), ctx)
    # A proposal shows its plan; a plain reply is "nothing to change" or an error.
    selected_value = selected(view, modals.ROLLOUT_RULE_BLOCK, modals.ROLLOUT_RULE)
    return modals.rollout_modal(
        meta, _rules_from_view(view), rule=selected_value, pct=pct_text, preview=result.message
    )


def _rules_from_view(view: Mapping[str, Any]) -> list[RuleChoice]:
    """The rule options the form already shows (no second Statsig read for a preview)."""
    for block in view.get("blocks") or []:
        if not isinstance(block, dict) or block.get("block_id") != modals.ROLLOUT_RULE_BLOCK:
            continue
        element = block.get("element")
        options = element.get("options") if isinstance(element, dict) else None
        if not isinstance(options, list):
            return []
        choices = (RuleChoice.from_option(o) for o in options if isinstance(o, dict))
        return [c for c in choices if c is not None]
    return []
