"""Button values, console links and action IDs: the small interfaces others depend on."""

from __future__ import annotations

import importlib

import pytest

from bot.render import ids
from bot.render.values import PageRef, ShareRef
from bot.statsig.links import console_home, console_url
from tests.blocks.cases import CASES


def test_action_ids_that_must_not_drift() -> None:
    assert ids.APPROVAL_APPROVE == "approval_approve"
    assert ids.APPROVAL_REJECT == "approval_reject"
    assert ids.APPROVAL_CANCEL == "approval_cancel"
    assert ids.INCIDENT_RESTORE == "incident_restore"
    assert ids.SHARE_IN_CHANNEL == "share_in_channel"
    assert ids.LIST_NEXT_PAGE == "list_next_page"


def test_rendered_buttons_use_only_known_action_ids() -> None:
    for name, case in CASES.items():
        for block in case().blocks:
            for element in block.get("elements", []):
                if element.get("type") == "button":
                    assert element["action_id"] in ids.ALL_ACTION_IDS, name


def test_read_results_share_and_plans_carry_no_buttons() -> None:
    gate = CASES["gate_full"]().blocks[-1]["elements"][0]
    assert (gate["action_id"], gate["value"]) == ("share_in_channel", "gate:checkout_v2")
    history = CASES["history_versions"]().blocks[-1]["elements"][0]
    assert ShareRef.decode(history["value"]) == ShareRef("gate", "checkout_v2", "history")
    for name in ("plan_rollout", "plan_noop", "gate_minimal"):
        assert all(b["type"] != "actions" for b in CASES[name]().blocks), name


def test_share_ref_round_trips() -> None:
    for ref in (ShareRef("gate", "checkout_v2"), ShareRef("experiment", "a:b", "history")):
        assert ShareRef.decode(ref.encode()) == ref
    assert ShareRef("config", "c").encode() == "config:c"


@pytest.mark.parametrize("value", ["", "gate", "gate:", "bogus:x", "gate.nope:x"])
def test_share_ref_rejects_malformed_values(value: str) -> None:
    with pytest.raises(ValueError):
        ShareRef.decode(value)


def test_page_ref_round_trips() -> None:
    ref = PageRef("segment", 2, "vip “quoted”")
    assert PageRef.decode(ref.encode()) == ref


@pytest.mark.parametrize(
    "value",
    ["nope", "[]", '{"k":"gate","p":0}', '{"k":"gate","p":true}', '{"k":"x","p":1}',
     '{"k":"gate","p":1,"q":3}'],
)  # fmt: skip
def test_page_ref_rejects_malformed_values(value: str) -> None:
    with pytest.raises(ValueError):
        PageRef.decode(value)


def test_console_links_with_and_without_a_project() -> None:
    assert console_url("gate", "checkout_v2", "proj1") == (
        "https://console.statsig.com/proj1/gates/checkout_v2"
    )
    assert console_url("config", "c") == "https://console.statsig.com/dynamic_configs/c"
    assert console_url("experiment", "e").endswith("/experiments/e")
    assert console_url("segment", "s").endswith("/segments/s")
    assert console_home() == "https://console.statsig.com/"
    assert console_home("p") == "https://console.statsig.com/p"


def test_console_links_quote_every_segment() -> None:
    url = console_url("gate", "a|b>c/d <x>", "p/q")
    assert url == "https://console.statsig.com/p%2Fq/gates/a%7Cb%3Ec%2Fd%20%3Cx%3E"


@pytest.mark.parametrize(
    "module",
    [
        "bot.render",
        "bot.render.common",
        "bot.render.entities",
        "bot.render.errors",
        "bot.render.help",
        "bot.render.history",
        "bot.render.ids",
        "bot.render.limits",
        "bot.render.lists",
        "bot.render.parts",
        "bot.render.plans",
        "bot.render.values",
        "bot.statsig.links",
        "bot.shell.render",
    ],
)
def test_exported_members_exist(module: str) -> None:
    loaded = importlib.import_module(module)
    for name in loaded.__all__:
        assert hasattr(loaded, name), f"{module}.{name}"
