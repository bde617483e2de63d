"""The documented deviations of the sandbox: an optional API key and a capped ``limit``."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.sandbox import MAX_PAGE_LIMIT, create_sandbox_app, server
from bot.sandbox.demo import demo_state
from tests.sandbox.conftest import BASE_URL

G = "/console/v1/gates"


async def _get(app: Any, path: str, key: str | None = "anything") -> httpx.Response:
    headers = {"STATSIG-API-KEY": key} if key is not None else {}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
        return await http.get(path, headers=headers)


async def test_any_key_is_accepted_unless_one_is_configured() -> None:
    open_app = create_sandbox_app(demo_state())
    assert (await _get(open_app, G, key="whatever")).status_code == 200
    locked = create_sandbox_app(demo_state(), api_key="console-right")
    assert (await _get(locked, G, key="console-right")).status_code == 200
    wrong = await _get(locked, G, key="console-wrong")
    assert wrong.status_code == 401 and wrong.json()["status"] == 401
    assert (await _get(locked, G, key=None)).status_code == 401


@pytest.mark.parametrize("path", [G, "/console/v1/segments/beta_users/id_list"])
async def test_limit_is_capped_with_statsigs_invalid_input_400(path: str) -> None:
    app = create_sandbox_app(demo_state())
    assert (await _get(app, f"{path}?limit={MAX_PAGE_LIMIT}")).status_code == 200
    refused = await _get(app, f"{path}?limit={MAX_PAGE_LIMIT + 1}")
    assert refused.status_code == 400
    body = refused.json()
    assert body["status"] == 400 and body["message"].startswith("Invalid request.")
    assert f"at most {MAX_PAGE_LIMIT}" in body["message"]


@pytest.mark.parametrize(
    "path", [f"{G}/checkout_v2/gate_references", "/console/v1/release_pipeline_triggers"]
)
async def test_the_documents_own_maximum_of_100_is_kept_where_declared(path: str) -> None:
    app = create_sandbox_app(demo_state())
    assert (await _get(app, f"{path}?limit=100")).status_code == 200
    refused = await _get(app, f"{path}?limit=101")
    assert refused.status_code == 400 and "at most 100" in refused.json()["message"]


def test_the_cli_passes_the_api_key_and_refuses_an_empty_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(server, "run", lambda **kw: calls.append(kw) or 0)
    monkeypatch.delenv("STATSIG_SANDBOX_API_KEY", raising=False)
    runner = CliRunner()
    done = runner.invoke(cli, ["sandbox", "--port", "9", "--api-key", "console-k"])
    assert done.exit_code == 0 and calls[-1]["api_key"] == "console-k"
    assert runner.invoke(cli, ["sandbox", "--port", "9"]).exit_code == 0
    assert calls[-1]["api_key"] is None
    empty = runner.invoke(cli, ["sandbox", "--api-key", " "])
    assert empty.exit_code == 2 and "--api-key" in empty.output


def test_run_says_whether_a_key_is_required(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(server.uvicorn, "run", lambda app, **kw: None)
    server.run(host="127.0.0.1", port=8787, demo=False, api_key="console-secret")
    printed = capsys.readouterr().out
    assert "requires the configured API key" in printed and "console-secret" not in printed
