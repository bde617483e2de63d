"""Surfaces agree (issue 9: items 11 and 13): approvers invited are exactly those who could
approve, a shell approval moves the Slack card, and Slack user groups mean the same in the
shell."""

from __future__ import annotations

import io
from pathlib import Path

from bot.ops.policy.rules import Policy
from bot.render.ids import APPROVAL_APPROVE
from bot.shell.main import run_session
from bot.slack.bridge import slack_side
from tests.shell.shell_support import settings
from tests.slack.harness import (
    CHANNEL,
    World,
    bot_instance,
    button_value,
    eventually,
    visible,
    wait_responses,
)
from tests.support.asgi_server import serve_asgi


async def test_invitations_go_exactly_to_who_could_approve(w: World) -> None:
    w.slack.add_usergroup("S0LEADS", ["U1ALICE", "U2BOB"])
    policy = Policy.from_toml(
        '[groups]\nleads = ["S0LEADS", "carol@example.com", "dave@example.com"]\n'
        '[defaults]\napprovers = "leads"\n[notifications]\ndm_approvers = true\n'
    )
    async with bot_instance(w, policy=policy) as bot:
        _, url = await bot.command("gate disable mobile_dark_mode flaky", user="U1ALICE")
        await wait_responses(bot.slack, url)
        await eventually(lambda: visible(bot.slack))

        def invited() -> set[str]:
            opened = bot.slack.calls_to("conversations.open")
            return {str(c.args.get("users")) for c in opened}

        await eventually(lambda: invited() >= {"U2BOB", "U3CAROL"})
        # alice asked (four eyes); dave is Read Only in Statsig: neither could approve
        assert invited() == {"U2BOB", "U3CAROL"}


async def _shell(w: World, url: str, *lines: str, actor: str) -> str:
    env = {
        "SLACK_BOT_TOKEN": w.slack.bot_token,
        "SLACK_API_URL": w.slack.api_url,
        "REDIS_URL": w.redis_url,
        "STATSIG_CONSOLE_API_KEY": "console-test",
        "STATSIG_API_URL": url,
    }
    out = io.StringIO()
    shell_settings = settings(**env)
    code = await run_session(
        shell_settings, command=None, assume_yes=False, actor=actor,
        stdin=io.StringIO("".join(f"{line}\n" for line in lines)), stdout=out,
        stderr=io.StringIO(), chat=slack_side(shell_settings),
    )  # fmt: skip
    assert code == 0, out.getvalue()
    return out.getvalue()


async def test_an_approval_in_the_shell_moves_the_slack_card(w: World, tmp_path: Path) -> None:
    async with bot_instance(w) as bot, serve_asgi(w.sandbox) as statsig:
        _, url = await bot.command("gate disable mobile_dark_mode flaky", user="U1ALICE")
        await wait_responses(bot.slack, url)
        [card] = await eventually(lambda: visible(bot.slack))
        request_id = button_value(card, APPROVAL_APPROVE)
        assert request_id is not None

        printed = await _shell(w, statsig, f"approve {request_id}", actor="bob@example.com")

        assert "Approved" in printed
        await eventually(lambda: "executed" in bot.slack.message(CHANNEL, card.ts).text)
        assert len(w.mutations("/gates/mobile_dark_mode")) == 1


async def test_slack_user_groups_are_groups_in_the_shell_too(w: World, tmp_path: Path) -> None:
    w.slack.add_usergroup("S0ONCALL", ["U2BOB"])
    policy_file = tmp_path / "policy.toml"
    policy_file.write_text(
        '[groups]\nresponders = ["S0ONCALL"]\n[incident]\nresponders = "responders"\n'
    )
    async with serve_asgi(w.sandbox) as statsig:
        shell_settings = settings(
            SLACK_BOT_TOKEN=w.slack.bot_token,
            SLACK_API_URL=w.slack.api_url,
            REDIS_URL=w.redis_url,
            STATSIG_CONSOLE_API_KEY="console-test",
            STATSIG_API_URL=statsig,
            STATSIG_BOT_POLICY=str(policy_file),
        )
        out = io.StringIO()
        code = await run_session(
            shell_settings, command="kill checkout_v2 INC-12", assume_yes=True,
            actor="bob@example.com", stdin=io.StringIO(), stdout=out, stderr=io.StringIO(),
            chat=slack_side(shell_settings),
        )  # fmt: skip
        assert code == 0, out.getvalue()
        assert "KILLED" in out.getvalue()  # a responder through his Slack group: break glass
        assert len(w.mutations("/gates/checkout_v2/disable")) == 1

    # Without a Slack token the shell cannot tell, and says so in its first line.
    err = io.StringIO()
    await run_session(
        settings(STATSIG_BOT_POLICY=str(policy_file)), command="help", assume_yes=True,
        actor="bob@example.com", stdin=io.StringIO(), stdout=io.StringIO(), stderr=err,
    )  # fmt: skip
    assert "Slack user groups S0ONCALL cannot be resolved" in err.getvalue()
