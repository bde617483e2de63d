"""Modal views: pure builders, and every ``callback_id``/``action_id``/``block_id`` they use.

Listeners register on the constants below and read submitted values by the same block and
action IDs, so a form and its handler cannot drift. Forms keep their block and action IDs
stable across ``views.update`` calls, which is what makes Slack keep what the person typed
while the plan preview below the inputs is refreshed.

State a form needs later (which gate, which channel to answer in, which request) travels in
``private_metadata`` as a compact :class:`ModalMeta`; Slack gives it back verbatim, and the
listener re-checks everything as if it came from the user.

Usage::

    rules = [RuleChoice("Beta", 10.0, ref="6hGz1uKx")]
    view = rollout_modal(ModalMeta(gate="new_nav", channel="C1"), rules, rule=rules[0].value,
                         pct="25")
    await client.views_update(view_id=view_id, view=view)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from bot.render.common import Message, esc, esc_plain, ident, section, truncate
from bot.slack.views.modal_meta import MAX_META_ID, ModalMeta, parse_rule_value, rule_value

__all__ = [
    "ALL_CALLBACK_IDS",
    "ALL_MODAL_ACTION_IDS",
    "CHANNEL_BLOCK",
    "CHANNEL_PICKER",
    "DISABLE_GATE_MODAL",
    "DISABLE_GATE_SHORTCUT",
    "GATE_BLOCK",
    "GATE_PICKER",
    "LOADING_MODAL",
    "OPEN_OVERRIDES",
    "OVERRIDES_MODAL",
    "OVERRIDE_ENV",
    "OVERRIDE_ENV_BLOCK",
    "OVERRIDE_IDS",
    "OVERRIDE_IDS_BLOCK",
    "OVERRIDE_MODE",
    "KILL_WINDOW",
    "KILL_WINDOW_BLOCK",
    "KILL_AUTO_RESTORE",
    "KILL_AUTO_RESTORE_BLOCK",
    "UNTIL_RESTORED",
    "AUTO_RESTORE",
    "OVERRIDE_MODE_BLOCK",
    "REASON",
    "REASON_BLOCK",
    "REJECT_MODAL",
    "RESTORE_ANYWAY_MODAL",
    "restore_anyway_modal",
    "RESULT_MODAL",
    "ROLLOUT_MODAL",
    "ROLLOUT_PCT",
    "ROLLOUT_PCT_BLOCK",
    "ROLLOUT_RULE",
    "ROLLOUT_RULE_BLOCK",
    "ALL_ENVIRONMENTS",
    "MAX_META_ID",
    "ModalMeta",
    "RuleChoice",
    "parse_rule_value",
    "rule_value",
    "disable_gate_modal",
    "loading_modal",
    "message_modal",
    "overrides_modal",
    "reject_modal",
    "rollout_modal",
]

# callback_ids (views and the global shortcut)
ROLLOUT_MODAL: Final = "rollout_modal"
OVERRIDES_MODAL: Final = "overrides_modal"
DISABLE_GATE_MODAL: Final = "disable_gate_modal"
REJECT_MODAL: Final = "reject_modal"
RESTORE_ANYWAY_MODAL: Final = "restore_anyway_modal"
LOADING_MODAL: Final = "loading_modal"
RESULT_MODAL: Final = "result_modal"
DISABLE_GATE_SHORTCUT: Final = "disable_gate_shortcut"
ALL_CALLBACK_IDS: Final = frozenset(
    {
        ROLLOUT_MODAL,
        OVERRIDES_MODAL,
        DISABLE_GATE_MODAL,
        REJECT_MODAL,
        RESTORE_ANYWAY_MODAL,
        LOADING_MODAL,
        RESULT_MODAL,
        DISABLE_GATE_SHORTCUT,
    }
)

# action_ids of inputs and buttons inside modals
ROLLOUT_RULE: Final = "rollout_rule"
ROLLOUT_PCT: Final = "rollout_pct"
REASON: Final = "reason"
GATE_PICKER: Final = "gate_picker"
CHANNEL_PICKER: Final = "channel_picker"
OVERRIDE_MODE: Final = "override_mode"
OVERRIDE_IDS: Final = "override_ids"
OVERRIDE_ENV: Final = "override_env"
OPEN_OVERRIDES: Final = "open_overrides"
KILL_WINDOW: Final = "kill_window"
KILL_AUTO_RESTORE: Final = "kill_auto_restore"
ALL_MODAL_ACTION_IDS: Final = frozenset(
    {
        KILL_WINDOW,
        KILL_AUTO_RESTORE,
        ROLLOUT_RULE,
        ROLLOUT_PCT,
        REASON,
        GATE_PICKER,
        CHANNEL_PICKER,
        OVERRIDE_MODE,
        OVERRIDE_IDS,
        OVERRIDE_ENV,
        OPEN_OVERRIDES,
    }
)

# block_ids of input blocks: the keys of ``response_action: errors``
ROLLOUT_RULE_BLOCK: Final = "rollout_rule_block"
ROLLOUT_PCT_BLOCK: Final = "rollout_pct_block"
REASON_BLOCK: Final = "reason_block"
GATE_BLOCK: Final = "gate_block"
CHANNEL_BLOCK: Final = "channel_block"
OVERRIDE_MODE_BLOCK: Final = "override_mode_block"
OVERRIDE_IDS_BLOCK: Final = "override_ids_block"
OVERRIDE_ENV_BLOCK: Final = "override_env_block"
KILL_WINDOW_BLOCK: Final = "kill_window_block"
KILL_AUTO_RESTORE_BLOCK: Final = "kill_auto_restore_block"
UNTIL_RESTORED: Final = "until_restored"
"""The kill window option that means "no --for": disabled until someone restores it."""
AUTO_RESTORE: Final = "auto_restore"
_PREVIEW_BLOCK = "plan_preview"

ALL_ENVIRONMENTS: Final = "__all__"
"""The environment option that means "no --env": overrides for every environment."""

_MAX_OPTIONS = 100
_MAX_PREVIEW_BLOCKS = 40
_OVERRIDE_MODES = (("pass", "Force pass"), ("fail", "Force fail"), ("remove", "Remove overrides"))
_KILL_WINDOWS = (
    (UNTIL_RESTORED, "Until someone restores it"),
    ("15m", "15 minutes"),
    ("30m", "30 minutes"),
    ("1h", "1 hour"),
    ("2h", "2 hours"),
    ("4h", "4 hours"),
    ("1d", "1 day"),
)


@dataclass(frozen=True)
class RuleChoice:
    """A rule the rollout form offers: its label, its stable reference and current pass %.

    ``ref`` is what ``--rule`` gets on submit: the rule's base ID (stable across edits),
    else its ID, else its name. The option value carries ``ref`` and the exact percentage
    (:func:`rule_value`), so nothing is ever parsed back from a (possibly cut) label.
    """

    name: str
    pass_percentage: float
    ref: str = ""
    label: str | None = None

    @property
    def value(self) -> str | None:
        """The option value, or ``None`` when the reference cannot fit in one."""
        return rule_value(self.ref or self.name, self.pass_percentage)

    def option(self) -> dict[str, Any] | None:
        value = self.value
        if value is None:
            return None
        label = self.label or esc_plain(f"{self.name} ({self.pass_percentage:g}%)", 75)
        return {"text": _text(label), "value": value}

    @classmethod
    def from_option(cls, option: dict[str, Any]) -> RuleChoice | None:
        """The choice a form already shows (its label kept verbatim); ``None`` if malformed."""
        parsed = parse_rule_value(str(option.get("value") or ""))
        if parsed is None:
            return None
        ref, pct = parsed
        text = option.get("text")
        label = str((text.get("text") if isinstance(text, dict) else None) or ref)
        return cls(ref, pct, ref, label=label)


def _text(value: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": value, "emoji": True}


def _option(label: str, value: str) -> dict[str, Any]:
    return {"text": _text(esc_plain(label, 75)), "value": value[:150]}


def _view(
    callback_id: str,
    title: str,
    blocks: list[dict[str, Any]],
    *,
    meta: ModalMeta | None = None,
    submit: str | None = None,
    close: str = "Cancel",
) -> dict[str, Any]:
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": callback_id,
        "title": _text(truncate(title, 24)),
        "close": _text(truncate(close, 24)),
        "blocks": blocks[:100],
    }
    if submit:
        view["submit"] = _text(truncate(submit, 24))
    if meta is not None:
        view["private_metadata"] = meta.encode()
    return view


def _input(
    block_id: str,
    label: str,
    element: dict[str, Any],
    *,
    optional: bool = False,
    hint: str | None = None,
    dispatch: bool = False,
) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id,
        "label": _text(label),
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = _text(hint)
    if dispatch:
        block["dispatch_action"] = True
    return block


def _reason_input(label: str = "Reason", *, optional: bool = True) -> dict[str, Any]:
    element = {
        "type": "plain_text_input",
        "action_id": REASON,
        "max_length": 500,
        "placeholder": _text("Why? Recorded in the audit trail"),
    }
    return _input(REASON_BLOCK, label, element, optional=optional)


def loading_modal(title: str = "Statsig") -> dict[str, Any]:
    """Opened at once with the trigger (valid 3 s), then replaced by the real form."""
    return _view(LOADING_MODAL, title, [section("⏳ Loading from Statsig…")], close="Close")


def message_modal(title: str, msg: Message) -> dict[str, Any]:
    """A finished form's result or a friendly error, in place of the form."""
    return _view(
        RESULT_MODAL,
        title,
        list(msg.blocks[:_MAX_PREVIEW_BLOCKS]) or [section(esc(msg.text, 2900))],
        close="Close",
    )


def rollout_modal(
    meta: ModalMeta,
    rules: Sequence[RuleChoice],
    *,
    rule: str | None = None,
    pct: str | None = None,
    preview: Message | None = None,
) -> dict[str, Any]:
    """Pick a rule, set its pass %, and see the plan before submitting."""
    options = [o for o in (r.option() for r in rules) if o is not None][:_MAX_OPTIONS]
    select: dict[str, Any] = {
        "type": "static_select",
        "action_id": ROLLOUT_RULE,
        "placeholder": _text("Choose a rule"),
        "options": options,
    }
    chosen = next((o for o in options if o["value"] == rule), None)
    if chosen is not None:
        select["initial_option"] = chosen
    number: dict[str, Any] = {
        "type": "number_input",
        "action_id": ROLLOUT_PCT,
        "is_decimal_allowed": True,
        "min_value": "0",
        "max_value": "100",
        "dispatch_action_config": {"trigger_actions_on": ["on_enter_pressed"]},
    }
    if pct:
        number["initial_value"] = pct
    blocks: list[dict[str, Any]] = [section(f"Roll out gate {ident(meta.gate)}")]
    if options:
        blocks.append(_input(ROLLOUT_RULE_BLOCK, "Rule", select, dispatch=True))
    else:
        blocks.append(section("This gate has no rules yet: add one in the Statsig console."))
    blocks += [
        _input(
            ROLLOUT_PCT_BLOCK,
            "Pass percentage",
            number,
            hint="0 to 100; press Enter to preview the plan",
            dispatch=True,
        ),
        _reason_input(),
        {"type": "divider"},
    ]
    if preview is not None:
        blocks += preview.blocks[:_MAX_PREVIEW_BLOCKS]
    else:
        blocks.append(
            section("_Choose a rule and a percentage to see the plan._", block_id=_PREVIEW_BLOCK)
        )
    blocks.append(
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": OPEN_OVERRIDES,
                    "text": _text("Edit overrides instead"),
                    "value": meta.gate[:2000],
                }
            ],
        }
    )
    return _view(ROLLOUT_MODAL, "Gate rollout", blocks, meta=meta, submit="Request change")


def overrides_modal(meta: ModalMeta, environments: Sequence[str]) -> dict[str, Any]:
    """Add (pass or fail) or remove override IDs, for one environment or all of them."""
    modes = [_option(label, value) for value, label in _OVERRIDE_MODES]
    envs = [_option("All environments", ALL_ENVIRONMENTS)]
    envs += [_option(e, e) for e in environments[: _MAX_OPTIONS - 1]]
    mode = {
        "type": "static_select",
        "action_id": OVERRIDE_MODE,
        "options": modes,
        "initial_option": modes[0],
    }
    env = {
        "type": "static_select",
        "action_id": OVERRIDE_ENV,
        "options": envs,
        "initial_option": envs[0],
    }
    ids = {
        "type": "plain_text_input",
        "action_id": OVERRIDE_IDS,
        "multiline": True,
        "max_length": 2000,
        "placeholder": _text("user_1, user_2 (commas, spaces or lines)"),
    }
    blocks = [
        section(f"Overrides of gate {ident(meta.gate)}"),
        _input(OVERRIDE_MODE_BLOCK, "What to do", mode),
        _input(OVERRIDE_IDS_BLOCK, "IDs", ids),
        _input(OVERRIDE_ENV_BLOCK, "Environment", env),
        _reason_input(),
    ]
    return _view(OVERRIDES_MODAL, "Gate overrides", blocks, meta=meta, submit="Request change")


def disable_gate_modal(meta: ModalMeta | None = None) -> dict[str, Any]:
    """The global shortcut's form: a type-ahead gate picker, a channel and a reason."""
    picker = {
        "type": "external_select",
        "action_id": GATE_PICKER,
        "placeholder": _text("Start typing a gate name"),
        "min_query_length": 0,
    }
    channel: dict[str, Any] = {
        "type": "conversations_select",
        "action_id": CHANNEL_PICKER,
        "default_to_current_conversation": True,
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    if meta is not None and meta.channel:
        channel["initial_conversation"] = meta.channel
    windows = [_option(label, value) for value, label in _KILL_WINDOWS]
    window = {
        "type": "static_select",
        "action_id": KILL_WINDOW,
        "options": windows,
        "initial_option": windows[0],
    }
    auto_restore = {
        "type": "checkboxes",
        "action_id": KILL_AUTO_RESTORE,
        "options": [_option("Restore it automatically when the time is up", AUTO_RESTORE)],
    }
    blocks = [
        section(
            "Everyone will *fail* the gate you pick: it is killed, as `/statsig kill` does. "
            "Incident responders disable it at once, with a Restore button; anyone else's "
            "kill waits for a responder's approval."
        ),
        _input(GATE_BLOCK, "Gate", picker),
        _input(CHANNEL_BLOCK, "Announce in", channel),
        _input(
            KILL_WINDOW_BLOCK,
            "Disable for",
            window,
            hint="A reminder comes in the kill's thread 5 minutes before the time is up.",
        ),
        _input(KILL_AUTO_RESTORE_BLOCK, "At the end", auto_restore, optional=True),
        _reason_input(),
    ]
    return _view(
        DISABLE_GATE_MODAL, "Disable a gate", blocks, meta=meta or ModalMeta(), submit="Disable"
    )


def restore_anyway_modal(meta: ModalMeta) -> dict[str, Any]:
    """Restoring a snapshot over edits made since the kill needs a reason (the edits are
    someone's work); it then goes the way of any restore (at once for a responder)."""
    blocks = [
        section(
            f"Put back the snapshot of request {ident(meta.request_id)} *over the changes made "
            "since*? Those changes are lost. Incident responders restore at once; anyone "
            "else's restore waits for a responder's approval."
        ),
        _reason_input("Why restore over them?", optional=False),
    ]
    return _view(RESTORE_ANYWAY_MODAL, "Restore anyway", blocks, meta=meta, submit="Restore anyway")


def reject_modal(meta: ModalMeta) -> dict[str, Any]:
    """Rejecting needs a reason; the requester sees it."""
    blocks = [
        section(f"Reject request {ident(meta.request_id)}"),
        _reason_input("Reason for rejecting", optional=False),
    ]
    return _view(REJECT_MODAL, "Reject request", blocks, meta=meta, submit="Reject")
