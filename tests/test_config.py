"""Settings: defaults, sources, one-line errors, and secrets that never leak."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import DEFAULT_REDIS_URL, ConfigError, Settings, dotenv_has, load_settings

BOT_TOKEN = "xoxb-1111-very-secret-bot-token"
SIGNING = "0123456789abcdef-signing-secret"
APP_TOKEN = "xapp-1-very-secret-app-token"
API_KEY = "console-very-secret-api-key"
ALL_SECRETS = (BOT_TOKEN, SIGNING, APP_TOKEN, API_KEY)
VARS = [name.upper() for name in Settings.model_fields]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No real environment or ./.env leaks into these tests."""
    for name in VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def config_error(env: dict[str, str]) -> str:
    with pytest.raises(ConfigError) as caught:
        load_settings(env, env_file=None)
    message = str(caught.value)
    assert "\n" not in message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    return message


def test_defaults() -> None:
    settings = load_settings({}, env_file=None)
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.statsig_api_url == "https://statsigapi.net"
    assert settings.redis_url is None
    assert settings.effective_redis_url() == DEFAULT_REDIS_URL
    assert settings.statsig_bot_respect_reviews is True
    assert settings.statsig_bot_redis_prefix == "statsig-bot:"
    assert settings.statsig_bot_redis_cluster is False
    assert settings.log_level == "INFO"
    assert settings.statsig_bot_policy is None
    assert settings.uses_sandbox()
    assert not settings.has_slack_http() and not settings.has_slack_socket()
    assert settings.secret_values() == ()


def test_every_variable_is_read(tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text("")
    settings = load_settings(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING,
            "SLACK_APP_TOKEN": APP_TOKEN,
            "SLACK_API_URL": "http://127.0.0.1:9999/api/",
            "STATSIG_CONSOLE_API_KEY": API_KEY,
            "STATSIG_API_URL": "http://127.0.0.1:8787",
            "REDIS_URL": "redis://127.0.0.1:6380/1",
            "STATSIG_BOT_POLICY": str(policy),
            "STATSIG_BOT_RESPECT_REVIEWS": "false",
            "STATSIG_BOT_REDIS_PREFIX": "bot-a:",
            "STATSIG_BOT_REDIS_CLUSTER": "true",
            "LOG_LEVEL": "debug",
            "UNRELATED": "ignored",
        },
        env_file=None,
    )
    assert settings.slack_bot_token is not None
    assert settings.slack_bot_token.get_secret_value() == BOT_TOKEN
    assert settings.slack_api_url == "http://127.0.0.1:9999/api/"
    assert settings.statsig_api_url == "http://127.0.0.1:8787"
    assert settings.effective_redis_url() == "redis://127.0.0.1:6380/1"
    assert settings.statsig_bot_policy == policy
    assert settings.statsig_bot_respect_reviews is False
    assert settings.statsig_bot_redis_prefix == "bot-a:"
    assert settings.statsig_bot_redis_cluster is True
    assert settings.log_level == "DEBUG"
    assert settings.has_slack_http() and settings.has_slack_socket()
    assert not settings.uses_sandbox()
    assert sorted(settings.secret_values()) == sorted(ALL_SECRETS)


def test_mode_helpers_need_both_halves() -> None:
    http = load_settings(
        {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING}, env_file=None
    )
    assert http.has_slack_http() and not http.has_slack_socket()
    socket = load_settings(
        {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN}, env_file=None
    )
    assert socket.has_slack_socket() and not socket.has_slack_http()
    assert not load_settings({"SLACK_SIGNING_SECRET": SIGNING}, env_file=None).has_slack_http()


def test_empty_values_count_as_unset() -> None:
    settings = load_settings({"SLACK_BOT_TOKEN": "", "LOG_LEVEL": ""}, env_file=None)
    assert settings.slack_bot_token is None and settings.log_level == "INFO"


def test_reads_os_environ_and_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"SLACK_BOT_TOKEN={BOT_TOKEN}\nLOG_LEVEL=warning\n")
    monkeypatch.setenv("LOG_LEVEL", "ERROR")
    settings = load_settings()
    assert settings.slack_bot_token is not None
    assert settings.slack_bot_token.get_secret_value() == BOT_TOKEN
    assert settings.log_level == "ERROR"  # the environment wins over .env


def test_explicit_env_wins_over_env_file_and_ignores_os_environ(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    env_file = tmp_path / "custom.env"
    env_file.write_text("LOG_LEVEL=warning\nSTATSIG_BOT_REDIS_PREFIX=from-file:\n")
    monkeypatch.setenv("STATSIG_BOT_REDIS_PREFIX", "from-os:")
    settings = load_settings({"LOG_LEVEL": "debug"}, env_file=str(env_file))
    assert settings.log_level == "DEBUG"
    assert settings.statsig_bot_redis_prefix == "from-file:"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"SLACK_API_URL": "slack.com/api"}, "SLACK_API_URL: must be an http:// or https:// URL"),
        ({"STATSIG_API_URL": "ftp://x"}, "STATSIG_API_URL: must be an http:// or https:// URL"),
        (
            {"REDIS_URL": "localhost:6379"},
            "REDIS_URL: must start with redis://, rediss:// or unix://",
        ),
        (
            {"STATSIG_BOT_RESPECT_REVIEWS": "maybe"},
            "STATSIG_BOT_RESPECT_REVIEWS: Input should be a valid boolean, "
            "unable to interpret input",
        ),
        ({"LOG_LEVEL": "loud"}, "LOG_LEVEL: must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
        (
            {"STATSIG_BOT_REDIS_PREFIX": "a {b}"},
            "STATSIG_BOT_REDIS_PREFIX: must be non-empty, without spaces or braces",
        ),
        ({"STATSIG_BOT_POLICY": "missing.toml"}, "STATSIG_BOT_POLICY: no such file: missing.toml"),
    ],
)
def test_invalid_value_gives_one_line_naming_the_setting(
    env: dict[str, str], expected: str
) -> None:
    assert config_error(env) == expected


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        (
            "SLACK_BOT_TOKEN",
            APP_TOKEN,
            "SLACK_BOT_TOKEN: must be a bot token starting with xoxb- (or xoxp-)",
        ),
        (
            "SLACK_APP_TOKEN",
            BOT_TOKEN,
            "SLACK_APP_TOKEN: must be an app-level token starting with xapp-",
        ),
    ],
)
def test_invalid_secret_is_never_echoed(name: str, value: str, expected: str) -> None:
    message = config_error({name: value, "SLACK_SIGNING_SECRET": SIGNING})
    assert message == expected
    for secret in ALL_SECRETS:
        assert secret not in message


def test_several_problems_stay_on_one_line() -> None:
    message = config_error({"LOG_LEVEL": "loud", "SLACK_API_URL": "nope"})
    assert message.startswith("SLACK_API_URL: ")
    assert "; LOG_LEVEL: " in message


def test_secrets_are_masked_in_repr_and_str() -> None:
    settings = load_settings(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING,
            "SLACK_APP_TOKEN": APP_TOKEN,
            "STATSIG_CONSOLE_API_KEY": API_KEY,
        },
        env_file=None,
    )
    for text in (repr(settings), str(settings), settings.model_dump_json()):
        for secret in ALL_SECRETS:
            assert secret not in text
    assert repr(settings).startswith("Settings(")


def test_require_names_the_missing_setting() -> None:
    settings = load_settings({"SLACK_BOT_TOKEN": BOT_TOKEN}, env_file=None)
    settings.require("SLACK_BOT_TOKEN", purpose="serving Slack")
    with pytest.raises(ConfigError) as caught:
        settings.require(
            "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", purpose="serving Slack over HTTP"
        )
    assert str(caught.value) == (
        "SLACK_SIGNING_SECRET: missing (required for serving Slack over HTTP)"
    )


def test_dotenv_has(tmp_path: Path) -> None:
    assert not dotenv_has("SLACK_BOT_TOKEN")  # no ./.env at all
    (tmp_path / ".env").write_text(f"SLACK_BOT_TOKEN={BOT_TOKEN}\nSLACK_APP_TOKEN=\n")
    assert dotenv_has("SLACK_BOT_TOKEN")
    assert dotenv_has("slack_bot_token")
    assert not dotenv_has("SLACK_APP_TOKEN")  # present but empty
    assert not dotenv_has("SLACK_SIGNING_SECRET")
