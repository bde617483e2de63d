"""Every example the help shows works against the demo project the shell starts with."""

from __future__ import annotations

import re

from bot.chatops.replies import Context, Proposal
from bot.ops.commands.parse import UsageError, parse
from bot.ops.commands.registry import REGISTRY, CommandKind
from bot.ops.model.identity import Actor
from bot.runtime import build_runtime
from bot.shell.render import render_text
from tests.shell.shell_support import settings

EXAMPLES = [example for spec in REGISTRY for example in spec.examples]
# approve/reject/cancel name a request that exists only once someone asked for a change:
# tests/slack/test_decisions_e2e.py runs them against real requests.
RUNNABLE = [
    example
    for spec in REGISTRY
    if spec.kind is not CommandKind.DECISION
    for example in spec.examples
]
FAILURES = re.compile(
    r"no (gate|config|experiment|segment) named|Usage:|cannot plan this change|"
    r"nothing to restore|Something went wrong|No \w+ found"
)


async def test_every_example_parses_and_resolves_against_the_demo() -> None:
    unparsed = [example for example in EXAMPLES if isinstance(parse(example), UsageError)]
    assert unparsed == []
    runtime = await build_runtime(settings())
    failed: list[str] = []
    try:
        ctx = Context(await runtime.ops.enrich(Actor.for_shell("alice@example.com")), "shell")
        # Kill checkout_v2 first, so that the restore example has a snapshot to put back.
        kill = await runtime.ops.handle("kill checkout_v2 help examples", ctx)
        assert isinstance(kill, Proposal)
        assert (await runtime.ops.commit(kill, ctx)).ok
        for example in RUNNABLE:
            result = await runtime.ops.handle(example, ctx)
            text = render_text(result.message)
            worked = isinstance(result, Proposal) or result.ok
            if FAILURES.search(text) or not worked:
                failed.append(f"{example!r} answered:\n{text}")
    finally:
        await runtime.aclose()
    assert failed == []
