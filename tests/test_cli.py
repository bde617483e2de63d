"""``statsig-bot``'s default: serve Slack only with usable credentials, else the shell."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import cli
from tests.shell.test_shell_subprocess import run_bot


def test_no_arguments_and_no_credentials_start_the_shell(tmp_path: Path) -> None:
    done = run_bot([], None, tmp_path)  # stdin closed: the shell starts and ends at once
    assert done.returncode == 0, done.stderr
    said = [line for line in done.stderr.splitlines() if line.strip()]
    assert said == ["No Slack credentials (SLACK_BOT_TOKEN): starting the terminal shell instead."]
    assert "sandbox with demo data" in done.stdout.splitlines()[0]


@pytest.fixture
def no_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for name in cli.SLACK_CREDENTIAL_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


def test_blank_token_is_not_a_credential(no_env: pytest.MonkeyPatch) -> None:
    no_env.setenv("SLACK_BOT_TOKEN", "   ")
    no_env.setenv("SLACK_SIGNING_SECRET", "x")
    assert not cli._has_slack_credentials()


def test_token_alone_is_not_enough(no_env: pytest.MonkeyPatch) -> None:
    no_env.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    assert cli._slack_mode() is None


def test_signing_secret_means_http_and_app_token_means_socket(no_env: pytest.MonkeyPatch) -> None:
    no_env.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    no_env.setenv("SLACK_APP_TOKEN", "xapp-1")
    assert cli._slack_mode() == "socket"
    no_env.setenv("SLACK_SIGNING_SECRET", "s")
    assert cli._slack_mode() == "http"


def test_dotenv_counts(no_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=xoxb-1\nSLACK_SIGNING_SECRET=s\n")
    assert cli._has_slack_credentials()
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=\nSLACK_SIGNING_SECRET=s\n")
    assert not cli._has_slack_credentials()


def test_token_without_a_way_in_says_why(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=xoxb-1\n")
    done = run_bot([], None, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "neither SLACK_SIGNING_SECRET (HTTP) nor SLACK_APP_TOKEN" in done.stderr
