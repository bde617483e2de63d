"""The ``statsig-bot`` command line: ``serve``, ``shell``, ``sandbox`` and ``check``.

Each subcommand imports its surface lazily, so ``statsig-bot sandbox`` does not pay for
Slack's imports and a missing optional setting never breaks an unrelated command.
With no subcommand the bot serves Slack when Slack credentials are configured, and
otherwise starts the terminal shell against the built-in sandbox, saying so in one line.
"""

from __future__ import annotations

import os
import sys

import click

__all__ = ["main"]

SLACK_CREDENTIAL_VARS = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN")


def _is_set(name: str) -> bool:
    """Set to something other than blanks, in the environment or in ``./.env``."""
    # An empty variable in the environment is "unset" (as pydantic-settings treats it).
    if os.environ.get(name, "").strip():
        return True
    from bot.config import dotenv_has

    try:
        return dotenv_has(name)
    except (OSError, UnicodeDecodeError, ValueError):
        return False


def _slack_mode() -> str | None:
    """``"http"`` or ``"socket"`` when Slack credentials for that mode are set, else None."""
    if not _is_set("SLACK_BOT_TOKEN"):
        return None
    if _is_set("SLACK_SIGNING_SECRET"):
        return "http"
    if _is_set("SLACK_APP_TOKEN"):
        return "socket"
    return None


def _has_slack_credentials() -> bool:
    """Whether ``statsig-bot`` with no arguments should serve Slack (token + a way in)."""
    return _slack_mode() is not None


@click.group(invoke_without_command=True)
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Operate Statsig feature gates, configs and experiments from Slack or a terminal."""
    if ctx.invoked_subcommand is not None:
        return
    mode = _slack_mode()
    if mode is not None:
        how = "over HTTP" if mode == "http" else "with Socket Mode"
        click.echo(f"Slack credentials found: serving Slack {how}.", err=True)
        ctx.invoke(serve, mode=mode)
    elif _is_set("SLACK_BOT_TOKEN"):
        click.echo(
            "SLACK_BOT_TOKEN is set but neither SLACK_SIGNING_SECRET (HTTP) nor "
            "SLACK_APP_TOKEN (Socket Mode): starting the terminal shell instead.",
            err=True,
        )
        ctx.invoke(shell)
    else:
        click.echo(
            "No Slack credentials (SLACK_BOT_TOKEN): starting the terminal shell instead.",
            err=True,
        )
        ctx.invoke(shell)


@cli.command()
@click.option("--http", "mode", flag_value="http", default=True, help="Serve Slack over HTTP.")
@click.option("--socket", "mode", flag_value="socket", help="Connect with Socket Mode.")
@click.option("--host", default="0.0.0.0", show_default=True, help="HTTP bind address.")
@click.option(
    "--port", default=3000, show_default=True, type=int, help="HTTP port (probes in Socket Mode)."
)
@click.option(
    "--sandbox",
    is_flag=True,
    help="Serve against the built-in demo sandbox instead of a Statsig project.",
)
def serve(mode: str, host: str, port: int, sandbox: bool) -> None:
    """Serve the Slack app (POST /slack/events over HTTP; /healthz, /readyz, /metrics)."""
    from bot.slack.server import run

    sys.exit(run(mode=mode, host=host, port=port, sandbox=sandbox))


@cli.command()
@click.option("-c", "--command", "command", default=None, help="Run one command and exit.")
@click.option("--yes", is_flag=True, help="Answer yes to the confirmation of a plan.")
@click.option("--as", "actor", default=None, metavar="EMAIL", help="Act as this person.")
def shell(command: str | None, yes: bool, actor: str | None) -> None:
    """A terminal REPL over the same commands, plans and renderers as Slack.

    \b
    Exit codes with -c: 0 done; 1 failed or denied; 2 usage error;
    3 planned but not confirmed (pass --yes); 4 requested, not applied
    (waits for approval, or for a review in Statsig).
    """
    from bot.shell.main import run
    from bot.slack.bridge import slack_side  # Slack's people and cards, with a bot token

    sys.exit(run(command=command, assume_yes=yes, actor=actor, chat=slack_side))


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Bind address.")
@click.option("--port", default=8787, show_default=True, type=int, help="Port.")
@click.option("--empty", is_flag=True, help="Start without the demo data.")
@click.option(
    "--api-key",
    default=None,
    metavar="KEY",
    envvar="STATSIG_SANDBOX_API_KEY",
    help="Require this STATSIG-API-KEY (default: accept any key).",
)
def sandbox(host: str, port: int, empty: bool, api_key: str | None) -> None:
    """Serve the Statsig Console API emulator over HTTP, with demo data."""
    from bot.sandbox.server import run

    if api_key is not None and not api_key.strip():
        raise click.BadParameter("must not be empty", param_hint="--api-key")
    sys.exit(run(host=host, port=port, demo=not empty, api_key=api_key))


@cli.command()
def check() -> None:
    """Validate settings and policy, and reach Slack, Statsig and Redis."""
    from bot.check import run

    sys.exit(run())


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="statsig-bot")
