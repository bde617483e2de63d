"""The manifests create a working app and agree with the code (commands, IDs, scopes)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.slack.blocks import modals
from bot.slack.listeners.commands import COMMAND
from tests.fakes.slack_reference import load_reference

ROOT = Path(__file__).resolve().parents[2]
SLACK_CODE = ROOT / "bot" / "slack"
EVENTS_URL = "/slack/events"
# Scopes no Web API method implies: the slash command itself, posting approval cards in
# public channels the bot was never invited to, and the email in users.info's profile.
DECLARED_SCOPES = {"commands", "chat:write.public", "users:read.email"}
# conversations.open accepts several scopes; we only open one-to-one DMs.
METHOD_SCOPE_CHOICE = {"conversations.open": "im:write"}


def _load(name: str) -> dict[str, Any]:
    data = yaml.safe_load((ROOT / name).read_text())
    assert isinstance(data, dict)
    return data


def _methods_called() -> set[str]:
    pattern = re.compile(r"client\.([a-z]+_[A-Za-z_]+)\(")
    found: set[str] = set()
    for path in SLACK_CODE.rglob("*.py"):
        found |= {m.replace("_", ".") for m in pattern.findall(path.read_text())}
    return found


def _scopes_used() -> set[str]:
    reference = load_reference()
    scopes = set(DECLARED_SCOPES)
    for method in _methods_called():
        spec = reference[method]
        if method in METHOD_SCOPE_CHOICE:
            assert METHOD_SCOPE_CHOICE[method] in spec.bot_scopes
            scopes.add(METHOD_SCOPE_CHOICE[method])
        else:
            scopes.update(spec.bot_scopes)
    return scopes


@pytest.mark.parametrize("name", ["manifest.yml", "manifest.socket.yml"])
def test_manifest_matches_the_code(name: str) -> None:
    manifest = _load(name)
    features = manifest["features"]
    [command] = features["slash_commands"]
    assert command["command"] == COMMAND and command["usage_hint"]
    shortcuts = {s["callback_id"]: s["type"] for s in features["shortcuts"]}
    assert shortcuts == {modals.DISABLE_GATE_SHORTCUT: "global"}
    assert features["app_home"]["home_tab_enabled"] is True
    settings = manifest["settings"]
    assert settings["event_subscriptions"]["bot_events"] == ["app_home_opened"]
    assert settings["interactivity"]["is_enabled"] is True
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == _scopes_used()
    assert len(manifest["display_information"]["name"]) <= 35


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


def test_the_code_calls_the_methods_we_expect() -> None:
    """Guards the scan above: it must see the calls it derives scopes from."""
    assert {"chat.postMessage", "users.info", "usergroups.users.list"} <= _methods_called()
