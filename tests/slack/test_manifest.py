"""The manifests create a working app and agree with the code.

Commands, shortcuts, callback IDs and events come from the listeners a *built* app really
registered (``build_app`` returns its registry, cross-checked with Bolt's own listener
list); scopes come from the Web API methods the code calls, through the one table in
``bot.slack.scopes``, whose entries are checked against Slack's reference data.
"""

from __future__ import annotations

import ast
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.render.ids import ALL_ACTION_IDS
from bot.slack.app import build_app
from bot.slack.listeners.registry import Registry
from bot.slack.scopes import FIELD_SCOPES, METHOD_SCOPES, required_scopes
from bot.slack.views import modals
from tests.fakes.slack_reference import load_reference
from tests.slack.harness import World, deps_for

ROOT = Path(__file__).resolve().parents[2]
SLACK_CODE = ROOT / "bot" / "slack"
EVENTS_URL = "/slack/events"
MANIFESTS = ["manifest.yml", "manifest.socket.yml"]


def _load(name: str) -> dict[str, Any]:
    data = yaml.safe_load((ROOT / name).read_text())
    assert isinstance(data, dict)
    return data


def _methods_called() -> set[str]:
    """Every ``<something>client.<group>_<method>(...)`` call in bot/slack, as API names."""
    found: set[str] = set()
    for path in SLACK_CODE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            owner = node.func.value
            name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            if name.endswith("client") and "_" in node.func.attr:
                found.add(node.func.attr.replace("_", "."))
    return found


@pytest.fixture
async def registry(w: World) -> AsyncIterator[Registry]:
    async with deps_for(w) as (settings, deps):
        app, registry = build_app(settings, deps)
        bolt_listeners = app._async_listeners  # noqa: SLF001 - cross-check with Bolt itself
        assert len(bolt_listeners) == registry.count
        yield registry


def test_the_scan_sees_the_calls_scopes_derive_from() -> None:
    called = _methods_called()
    assert {"chat.postMessage", "chat.update", "users.info", "views.open"} <= called
    assert {"usergroups.users.list", "conversations.open", "views.publish"} <= called


def test_the_scope_table_covers_every_call_and_matches_slacks_reference() -> None:
    reference = load_reference()
    called = _methods_called()
    assert called <= set(METHOD_SCOPES), f"no scope entry for {called - set(METHOD_SCOPES)}"
    for method, scopes in METHOD_SCOPES.items():
        documented = set(reference[method].bot_scopes)
        if documented:
            assert scopes and set(scopes) <= documented, method
        else:
            assert scopes == (), method
    assert set(FIELD_SCOPES) <= set(METHOD_SCOPES)


@pytest.mark.parametrize("name", MANIFESTS)
async def test_manifest_matches_the_registered_listeners(name: str, registry: Registry) -> None:
    manifest = _load(name)
    features = manifest["features"]
    assert {c["command"] for c in features["slash_commands"]} == registry.commands
    assert all(c["usage_hint"] for c in features["slash_commands"])
    shortcuts = {s["callback_id"]: s["type"] for s in features["shortcuts"]}
    assert set(shortcuts) == registry.shortcuts and set(shortcuts.values()) == {"global"}
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert set(events) == registry.events
    if "app_home_opened" in registry.events:
        assert features["app_home"]["home_tab_enabled"] is True
    interactive = registry.actions | registry.views | registry.options | registry.shortcuts
    assert manifest["settings"]["interactivity"]["is_enabled"] is bool(interactive)
    assert len(manifest["display_information"]["name"]) <= 35


@pytest.mark.parametrize("name", MANIFESTS)
async def test_manifest_scopes_are_exactly_the_scopes_the_code_uses(
    name: str, registry: Registry
) -> None:
    wanted = required_scopes(_methods_called(), slash_commands=bool(registry.commands))
    assert set(_load(name)["oauth_config"]["scopes"]["bot"]) == wanted
    assert "chat:write.public" not in wanted


async def test_every_id_the_messages_use_has_a_listener(registry: Registry) -> None:
    assert registry.actions >= ALL_ACTION_IDS
    assert modals.DISABLE_GATE_SHORTCUT in registry.shortcuts
    callbacks = modals.ALL_CALLBACK_IDS - {modals.DISABLE_GATE_SHORTCUT}
    assert callbacks == registry.views
    assert registry.options == {modals.GATE_PICKER}
    assert registry.actions <= ALL_ACTION_IDS | modals.ALL_MODAL_ACTION_IDS


def test_http_manifest_points_every_url_at_the_bolt_endpoint() -> None:
    manifest = _load("manifest.yml")
    settings = manifest["settings"]
    urls = [
        manifest["features"]["slash_commands"][0]["url"],
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
        settings["interactivity"]["message_menu_options_url"],
    ]
    assert all(url.startswith("https://") and url.endswith(EVENTS_URL) for url in urls)
    assert settings["socket_mode_enabled"] is False


def test_socket_manifest_has_no_urls() -> None:
    manifest = _load("manifest.socket.yml")
    text = (ROOT / "manifest.socket.yml").read_text()
    assert "url:" not in text.replace("# ", "")
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert manifest["settings"]["interactivity"] == {"is_enabled": True}
