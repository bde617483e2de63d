"""Settings from the environment (and ``./.env``), validated once at start-up.

Every setting is an environment variable named exactly like the field, upper-cased
(``slack_bot_token`` ↔ ``SLACK_BOT_TOKEN``). :func:`load_settings` is the one entry point
for the CLI: it turns pydantic's validation report into a :class:`ConfigError` whose message
is a single line naming the variable and the reason, because an operator reading a crash
loop in a container log needs exactly that and nothing else. Secret values are
:class:`~pydantic.SecretStr`, so they never show up in ``repr(settings)``; error messages are
built from pydantic's ``msg`` only, never from the offending input.

Usage::

    settings = load_settings()            # os.environ + ./.env
    settings = load_settings({"SLACK_BOT_TOKEN": "xoxb-…"}, env_file=None)   # tests
    if settings.uses_sandbox(): ...
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dotenv import dotenv_values
from pydantic import SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

__all__ = [
    "DEFAULT_REDIS_URL",
    "ConfigError",
    "Settings",
    "dotenv_has",
    "load_settings",
]

DEFAULT_REDIS_URL = "redis://localhost:6379/0"
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


class ConfigError(Exception):
    """A setting or the policy file is missing or invalid; the message is safe to print."""


class Settings(BaseSettings):
    """The bot's configuration. Field ``x_y`` is read from the variable ``X_Y``."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        extra="ignore",
        validate_default=False,
    )

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    statsig_console_api_key: SecretStr | None = None
    statsig_api_url: str = "https://statsigapi.net"
    redis_url: str | None = None
    statsig_bot_policy: Path | None = None
    statsig_bot_respect_reviews: bool = True
    statsig_bot_redis_prefix: str = "statsig-bot:"
    statsig_bot_redis_cluster: bool = False
    statsig_bot_shutdown_seconds: float = 20.0
    """On SIGTERM, how long work in flight (an execution) may take to finish."""
    statsig_bot_spool_dir: Path | None = None
    """Where kills that ran while Redis was down wait to be recorded (default: a directory
    under the system's temporary directory)."""
    log_level: str = "INFO"

    def spool_dir(self) -> Path:
        """:attr:`statsig_bot_spool_dir`, or ``<tmp>/statsig-bot-spool``."""
        if self.statsig_bot_spool_dir is not None:
            return self.statsig_bot_spool_dir
        import tempfile

        return Path(tempfile.gettempdir()) / "statsig-bot-spool"

    @field_validator("slack_api_url", "statsig_api_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("must be an http:// or https:// URL")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(_REDIS_SCHEMES):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token(cls, value: SecretStr | None) -> SecretStr | None:
        # The usual mix-up is pasting the app-level token (xapp-) here.
        if value is not None and not value.get_secret_value().startswith(("xoxb-", "xoxp-")):
            raise ValueError("must be a bot token starting with xoxb- (or xoxp-)")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("must be an app-level token starting with xapp-")
        return value

    @field_validator("statsig_bot_policy")
    @classmethod
    def _policy_exists(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"no such file: {value}")
        return value

    @field_validator("statsig_bot_redis_prefix")
    @classmethod
    def _prefix(cls, value: str) -> str:
        if not value or any(ch.isspace() or ch in "{}" for ch in value):
            raise ValueError("must be non-empty, without spaces or braces")
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in _LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(_LOG_LEVELS)}")
        return level

    def has_slack_http(self) -> bool:
        """True when the bot can serve Slack over HTTP (bot token and signing secret)."""
        return self.slack_bot_token is not None and self.slack_signing_secret is not None

    def has_slack_socket(self) -> bool:
        """True when the bot can connect with Socket Mode (bot token and app token)."""
        return self.slack_bot_token is not None and self.slack_app_token is not None

    def uses_sandbox(self) -> bool:
        """True without a Console API key: Statsig calls go to the built-in emulator."""
        return self.statsig_console_api_key is None

    def effective_redis_url(self) -> str:
        """``REDIS_URL``, or the local default that ``serve`` falls back to."""
        return self.redis_url or DEFAULT_REDIS_URL

    def ticket_key(self) -> bytes:
        """The key that signs restore tickets (a kill's snapshot in its Restore button).

        Derived from the first secret configured (signing secret, app token, bot token,
        Console API key), so every replica and a restarted process agree on it without
        another setting; with none (the sandbox shell), a key for this process only.
        """
        import hashlib
        import hmac
        import secrets

        for value in (
            self.slack_signing_secret,
            self.slack_app_token,
            self.slack_bot_token,
            self.statsig_console_api_key,
        ):
            if value is not None:
                raw = value.get_secret_value().encode()
                return hmac.new(raw, b"statsig-bot restore ticket v1", hashlib.sha256).digest()
        return secrets.token_bytes(32)

    def secret_values(self) -> tuple[str, ...]:
        """The configured secrets in clear, for the log redaction processor only."""
        secrets = (
            self.slack_bot_token,
            self.slack_signing_secret,
            self.slack_app_token,
            self.statsig_console_api_key,
        )
        return tuple(s.get_secret_value() for s in secrets if s is not None)

    def require(self, *names: str, purpose: str) -> None:
        """Raise :class:`ConfigError` naming the first unset variable needed for ``purpose``.

        ``settings.require("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", purpose="serving
        Slack over HTTP")``.
        """
        for name in names:
            if getattr(self, name.lower()) is None:
                raise ConfigError(f"{name}: missing (required for {purpose})")


class _MappingSettings(Settings):
    """Settings read from an explicit mapping (and the env file) instead of ``os.environ``."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, dotenv_settings)

    def __repr_name__(self) -> str:
        return "Settings"


def _describe(error: ValidationError) -> str:
    """One line from a validation report, built from messages only, never from inputs."""
    parts = []
    for item in error.errors(include_input=False, include_url=False):
        name = str(item["loc"][0]).upper() if item["loc"] else "settings"
        reason = str(item["msg"]).removeprefix("Value error, ")
        parts.append(f"{name}: {reason}")
    return "; ".join(parts)


def load_settings(env: Mapping[str, str] | None = None, env_file: str | None = ".env") -> Settings:
    """Read and validate the settings; raise :class:`ConfigError` with one line on failure.

    ``env`` replaces ``os.environ`` when given (tests); ``env_file=None`` ignores ``.env``.
    Variables in the environment win over the env file.
    """
    try:
        if env is None:
            return Settings(_env_file=env_file)
        fields = Settings.model_fields
        values: dict[str, Any] = {
            key.lower(): value
            for key, value in env.items()
            if key.lower() in fields and value != ""
        }
        return _MappingSettings(_env_file=env_file, **values)
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from None


def dotenv_has(name: str, env_file: str = ".env") -> bool:
    """True when ``name`` is set to a non-empty value in the env file (default ``./.env``)."""
    if not Path(env_file).is_file():
        return False
    values = dotenv_values(env_file)
    return any(key.upper() == name.upper() and value for key, value in values.items())
