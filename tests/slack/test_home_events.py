"""App Home on ``app_home_opened``, and event deduplication across replicas."""

from __future__ import annotations

from bot.render.ids import APPROVAL_APPROVE, APPROVAL_REJECT
from bot.slack.views import modals
from tests.slack.harness import (
    BotInstance,
    World,
    all_text,
    bot_instance,
    eventually,
    visible,
    wait_responses,
)

HOME_OPENED = {"type": "app_home_opened", "user": "U2BOB", "channel": "D1", "tab": "home"}


async def test_home_shows_waiting_approvals_and_approving_from_home_works(
    bot: BotInstance,
) -> None:
    _, url = await bot.command("gate disable mobile_dark_mode flaky")
    await wait_responses(bot.slack, url)
    await eventually(lambda: visible(bot.slack))
    assert (await bot.event(HOME_OPENED)).status_code == 200
    await bot.slack.wait_for_calls("views.publish")
    home = bot.slack.home_view("U2BOB")
    assert home is not None
    text = all_text(home.data).replace("\u200b", "")
    assert "Waiting for your approval" in text and "mobile_dark_mode" in text
    request_id = next(
        e["value"]
        for b in home.data["blocks"]
        for e in b.get("elements", [])
        if isinstance(e, dict) and e.get("action_id") == APPROVAL_APPROVE
    )
    await bot.click(APPROVAL_APPROVE, request_id, user="U2BOB",
                    view={"id": home.id, "type": "home"})  # fmt: skip
    await bot.slack.wait_for_calls("views.publish", 2)
    await eventually(lambda: bot.world.mutations("/disable"))
    refreshed = bot.slack.home_view("U2BOB")
    assert refreshed is not None
    assert "Nothing is waiting for you" in all_text(refreshed.data)


async def test_a_reject_submitted_from_home_refreshes_the_home_tab(bot: BotInstance) -> None:
    _, url = await bot.command("gate disable mobile_dark_mode flaky")
    await wait_responses(bot.slack, url)
    await bot.event(HOME_OPENED)
    await bot.slack.wait_for_calls("views.publish")
    home = bot.slack.home_view("U2BOB")
    assert home is not None
    request_id = next(
        e["value"]
        for b in home.data["blocks"]
        for e in b.get("elements", [])
        if isinstance(e, dict) and e.get("action_id") == APPROVAL_REJECT
    )
    await bot.click(APPROVAL_REJECT, request_id, user="U2BOB",
                    view={"id": home.id, "type": "home"})  # fmt: skip
    [opened] = await bot.slack.wait_for_calls("views.open")
    form = bot.slack.view(opened.response["view"]["id"]).data
    values = {modals.REASON_BLOCK: {modals.REASON: {"type": "plain_text_input",
                                                    "value": "not during the sale"}}}  # fmt: skip
    assert (await bot.submit(form, values, user="U2BOB")).status_code == 200
    await bot.slack.wait_for_calls("views.publish", 2)
    refreshed = bot.slack.home_view("U2BOB")
    assert refreshed is not None
    assert "Nothing is waiting for you" in all_text(refreshed.data)
    wf = bot.deps.chatops.workflow
    assert wf is not None
    request = await wf.get(request_id)
    assert request is not None and request.state == "rejected"


async def test_requester_sees_own_request_and_not_as_waiting(bot: BotInstance) -> None:
    _, url = await bot.command("gate disable mobile_dark_mode flaky")
    await wait_responses(bot.slack, url)
    await bot.event({**HOME_OPENED, "user": "U1ALICE"})
    await bot.slack.wait_for_calls("views.publish")
    home = bot.slack.home_view("U1ALICE")
    assert home is not None
    text = all_text(home.data)
    assert "Nothing is waiting for you" in text
    assert "disable gate" in text and "gate.disable" not in text  # words, not keys (9.15)


async def test_messages_tab_event_publishes_nothing(bot: BotInstance) -> None:
    await bot.event({**HOME_OPENED, "tab": "messages", "user": "U3CAROL"})
    await bot.event(HOME_OPENED)
    [published] = await bot.slack.wait_for_calls("views.publish")
    assert published.args["user_id"] == "U2BOB"


async def test_redelivered_events_run_once_across_replicas(w: World) -> None:
    async with bot_instance(w) as one, bot_instance(w) as two:
        first = await one.event(HOME_OPENED, event_id="Ev0DUPLICATE")
        retry_headers = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
        retry = await two.event(HOME_OPENED, "Ev0DUPLICATE", delivery=1, **retry_headers)
        plain = await one.event(HOME_OPENED, event_id="Ev0DUPLICATE", delivery=2)
        assert [first.status_code, retry.status_code, plain.status_code] == [200, 200, 200]
        other = await two.event(HOME_OPENED, event_id="Ev0SOMETHINGELSE")
        assert other.status_code == 200
        await w.slack.wait_for_calls("views.publish", 2)
        assert len(w.slack.calls_to("views.publish")) == 2
        dropped = one.deps.metrics.duplicate_events._value.get()  # noqa: SLF001
        dropped += two.deps.metrics.duplicate_events._value.get()  # noqa: SLF001
        assert dropped == 2
