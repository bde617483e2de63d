"""The fake's views.* methods, Block Kit limits and response_url endpoint."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import ActionsBlock, ButtonElement, HeaderBlock, SectionBlock
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from tests.fakes.slack import FakeSlack
from tests.fakes.slack_state import ManualClock


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def slack(clock: ManualClock) -> AsyncIterator[FakeSlack]:
    async with FakeSlack(clock=clock) as fake:
        fake.add_user("U1", "alice", email="alice@example.com")
        fake.add_channel("C1", "ops")
        yield fake


@pytest.fixture
def client(slack: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)


async def error_of(call: Any) -> dict[str, Any]:
    with pytest.raises(SlackApiError) as caught:
        await call
    assert caught.value.response.status_code == 200
    return dict(caught.value.response.data)


def modal(
    title: str = "Edit gate", blocks: list[dict[str, Any]] | None = None, **extra: Any
) -> dict[str, Any]:
    view: dict[str, Any] = {"type": "modal", "title": {"type": "plain_text", "text": title}}
    view["blocks"] = blocks if blocks is not None else [{"type": "divider"}]
    return {**view, **extra}


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def button(text: str = "Go", value: str = "v", action_id: str = "a") -> dict[str, Any]:
    element = {"type": "button", "text": {"type": "plain_text", "text": text}}
    return {"type": "actions", "elements": [{**element, "value": value, "action_id": action_id}]}


# -- views.open and triggers ---------------------------------------------------------------


async def test_views_open_returns_slacks_view_shape(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    sdk_view = View(
        type="modal",
        callback_id="edit",
        title="Edit gate",
        submit="Save",
        blocks=[SectionBlock(text="hello")],
        private_metadata="req-1",
    )
    view = (await client.views_open(trigger_id=slack.new_trigger_id(), view=sdk_view))["view"]
    assert view["id"].startswith("V")
    assert view["root_view_id"] == view["id"]
    assert view["state"] == {"values": {}}
    assert (view["callback_id"], view["private_metadata"]) == ("edit", "req-1")
    assert view["hash"]
    assert slack.view(view["id"]).data["title"]["text"] == "Edit gate"


async def test_trigger_ids_are_single_use(slack: FakeSlack, client: AsyncWebClient) -> None:
    trigger = slack.new_trigger_id()
    await client.views_open(trigger_id=trigger, view=modal())
    body = await error_of(client.views_open(trigger_id=trigger, view=modal()))
    assert body["error"] == "exchanged_trigger_id"


async def test_trigger_ids_expire_after_three_seconds(
    slack: FakeSlack, client: AsyncWebClient, clock: ManualClock
) -> None:
    on_time, late = slack.new_trigger_id(), slack.new_trigger_id()
    clock.advance(3.0)
    assert (await client.views_open(trigger_id=on_time, view=modal()))["ok"] is True
    clock.advance(0.1)
    body = await error_of(client.views_open(trigger_id=late, view=modal()))
    assert body["error"] == "expired_trigger_id"


async def test_unknown_or_missing_trigger(client: AsyncWebClient) -> None:
    body = await error_of(client.views_open(trigger_id="1.2.abc", view=modal()))
    assert body["error"] == "invalid_trigger_id"
    missing = client.api_call("views.open", json={"view": modal()})
    assert (await error_of(missing))["error"] == "invalid_arguments"


@pytest.mark.parametrize(
    ("view", "pointer"),
    [
        (modal(title="x" * 25), "/view/title/text"),
        (modal(blocks=[{"type": "divider"}] * 101), "/view/blocks"),
        (modal(blocks=[section("x" * 3001)]), "/view/blocks/0/text/text"),
        (modal(submit={"type": "plain_text", "text": "s" * 25}), "/view/submit/text"),
        (modal(private_metadata="m" * 3001), "/view/private_metadata"),
        ({"type": "home", "blocks": []}, "/view/type"),
        ({"type": "modal", "blocks": []}, "/view/title"),
    ],
)
async def test_bad_views_are_invalid_arguments(
    slack: FakeSlack, client: AsyncWebClient, view: dict[str, Any], pointer: str
) -> None:
    call = client.views_open(trigger_id=slack.new_trigger_id(), view=view)
    body = await error_of(call)
    assert body["error"] == "invalid_arguments"
    assert any(pointer in m for m in body["response_metadata"]["messages"])


async def test_input_blocks_need_a_submit_button(slack: FakeSlack, client: AsyncWebClient) -> None:
    field = {
        "type": "input",
        "label": {"type": "plain_text", "text": "Reason"},
        "element": {"type": "plain_text_input", "action_id": "reason"},
    }
    body = await error_of(
        client.views_open(trigger_id=slack.new_trigger_id(), view=modal(blocks=[field]))
    )
    assert body["error"] == "invalid_arguments"
    submit = {"type": "plain_text", "text": "Save"}
    ok = await client.views_open(
        trigger_id=slack.new_trigger_id(), view=modal(blocks=[field], submit=submit)
    )
    assert ok["ok"] is True


async def test_views_over_250_kb_are_too_large(slack: FakeSlack, client: AsyncWebClient) -> None:
    huge = modal(blocks=[section("x" * 2900)] * 90)
    body = await error_of(client.views_open(trigger_id=slack.new_trigger_id(), view=huge))
    assert body["error"] == "view_too_large"


async def test_a_hundred_view_blocks_are_fine(slack: FakeSlack, client: AsyncWebClient) -> None:
    view = modal(blocks=[{"type": "divider"}] * 100)
    assert (await client.views_open(trigger_id=slack.new_trigger_id(), view=view))["ok"] is True


async def test_view_as_json_string_in_a_form_and_malformed_json(slack: FakeSlack) -> None:
    headers = {"Authorization": f"Bearer {slack.bot_token}"}
    async with httpx.AsyncClient(base_url=slack.api_url, headers=headers) as http:
        good = {"trigger_id": slack.new_trigger_id(), "view": json.dumps(modal())}
        bad = {"trigger_id": slack.new_trigger_id(), "view": "{oops"}
        assert (await http.post("views.open", data=good)).json()["ok"] is True
        answer = (await http.post("views.open", data=bad)).json()
    assert answer["error"] == "invalid_arguments"


# -- views.update / push / publish ----------------------------------------------------------


async def test_views_update_by_id_or_external_id_with_hash_checks(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    opened = await client.views_open(
        trigger_id=slack.new_trigger_id(), view=modal(external_id="ext-1")
    )
    view_id, first_hash = opened["view"]["id"], opened["view"]["hash"]
    updated = await client.views_update(view_id=view_id, hash=first_hash, view=modal("Step 2"))
    assert updated["view"]["hash"] != first_hash
    assert slack.view(view_id).data["title"]["text"] == "Step 2"
    stale = await error_of(client.views_update(view_id=view_id, hash=first_hash, view=modal()))
    assert stale["error"] == "hash_conflict"
    opened2 = await client.views_open(
        trigger_id=slack.new_trigger_id(), view=modal(external_id="ext-2")
    )
    by_external = await client.views_update(external_id="ext-2", view=modal("Via ext"))
    assert by_external["view"]["id"] == opened2["view"]["id"]
    missing = await error_of(client.views_update(view_id="VNOPE", view=modal()))
    assert missing["error"] == "not_found"


async def test_external_ids_are_unique(slack: FakeSlack, client: AsyncWebClient) -> None:
    await client.views_open(trigger_id=slack.new_trigger_id(), view=modal(external_id="same"))
    body = await error_of(
        client.views_open(trigger_id=slack.new_trigger_id(), view=modal(external_id="same"))
    )
    assert body["error"] == "duplicate_external_id"


async def test_views_push_stacks_up_to_three(slack: FakeSlack, client: AsyncWebClient) -> None:
    root = (await client.views_open(trigger_id=slack.new_trigger_id(), view=modal()))["view"]
    second = (
        await client.views_push(trigger_id=slack.new_trigger_id(root["id"]), view=modal("2"))
    )["view"]
    assert (second["root_view_id"], second["previous_view_id"]) == (root["id"], root["id"])
    third = await client.views_push(trigger_id=slack.new_trigger_id(second["id"]), view=modal("3"))
    assert third["view"]["root_view_id"] == root["id"]
    body = await error_of(
        client.views_push(trigger_id=slack.new_trigger_id(root["id"]), view=modal("4"))
    )
    assert body["error"] == "push_limit_reached"


async def test_views_publish_home_tab(slack: FakeSlack, client: AsyncWebClient) -> None:
    home = {"type": "home", "blocks": [section("welcome")]}
    first = (await client.views_publish(user_id="U1", view=home))["view"]
    again = await client.views_publish(user_id="U1", view=home, hash=first["hash"])
    assert again["view"]["id"] == first["id"]
    assert slack.home_view("U1") is not None
    stale = await error_of(client.views_publish(user_id="U1", view=home, hash=first["hash"]))
    assert stale["error"] == "hash_conflict"
    assert (await error_of(client.views_publish(user_id="U1", view=modal())))[
        "error"
    ] == "invalid_arguments"
    assert (await error_of(client.views_publish(user_id="UNOPE", view=home)))[
        "error"
    ] == "invalid_arguments"


# -- Block Kit limits in messages ---------------------------------------------------------


def header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": text}}


def fields(count: int) -> dict[str, Any]:
    return {"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * count}


@pytest.mark.parametrize(
    ("good", "bad", "pointer"),
    [
        (section("x" * 3000), section("x" * 3001), "/blocks/0/text/text"),
        (header("h" * 150), header("h" * 151), "/blocks/0/text/text"),
        (button(text="b" * 75), button(text="b" * 76), "/blocks/0/elements/0/text/text"),
        (button(value="v" * 2000), button(value="v" * 2001), "/blocks/0/elements/0/value"),
        (
            button(action_id="a" * 255),
            button(action_id="a" * 256),
            "/blocks/0/elements/0/action_id",
        ),
        (fields(10), fields(11), "/blocks/0/fields"),
        ({"type": "divider"}, {"type": "sparkles"}, "/blocks/0/type"),
        (section("ok"), {"type": "section"}, "/blocks/0"),
    ],
)
async def test_block_limits(
    client: AsyncWebClient, good: dict[str, Any], bad: dict[str, Any], pointer: str
) -> None:
    assert (await client.chat_postMessage(channel="C1", text="t", blocks=[good]))["ok"] is True
    body = await error_of(client.chat_postMessage(channel="C1", text="t", blocks=[bad]))
    assert body["error"] == "invalid_blocks"
    assert any(f"[json-pointer:{pointer}]" in m for m in body["response_metadata"]["messages"])


async def test_blocks_built_with_sdk_models_are_accepted(client: AsyncWebClient) -> None:
    blocks = [
        HeaderBlock(text="Gate checkout_v2"),
        SectionBlock(text="*enabled*", fields=["a", "b"]),
        ActionsBlock(
            elements=[ButtonElement(text="Approve", action_id="approval_approve", value="r1")]
        ),
    ]
    assert (await client.chat_postMessage(channel="C1", text="t", blocks=blocks))["ok"] is True


# -- response_url ---------------------------------------------------------------------------


async def test_response_url_records_posts_and_allows_five_uses(slack: FakeSlack) -> None:
    url = slack.new_response_url(channel_id="C1", user_id="U1")
    assert url.startswith(f"{slack.base_url}/commands/T1/")
    webhook = AsyncWebhookClient(url)
    for n in range(5):
        assert (await webhook.send(text=f"reply {n}")).status_code == 200
    used_up = await webhook.send(text="sixth")
    assert (used_up.status_code, json.loads(used_up.body)) == (
        404,
        {"ok": False, "error": "used_up"},
    )
    assert [p["text"] for p in slack.responses(url)] == [f"reply {n}" for n in range(5)]


async def test_response_url_expires_after_thirty_minutes(
    slack: FakeSlack, clock: ManualClock
) -> None:
    url = slack.new_response_url()
    clock.advance(30 * 60 + 1)
    expired = await AsyncWebhookClient(url).send(text="late")
    assert (expired.status_code, json.loads(expired.body)["error"]) == (404, "expired_url")


async def test_response_types_and_original_message_effects(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    original = (await client.chat_postMessage(channel="C1", text="approve?", blocks=[button()]))[
        "ts"
    ]
    url = slack.new_response_url(channel_id="C1", user_id="U1", message_ts=original)
    webhook = AsyncWebhookClient(url)
    await webhook.send(text="only you", response_type="ephemeral")
    await webhook.send(text="everyone", response_type="in_channel")
    await webhook.send(text="approved", blocks=[section("done")], replace_original=True)
    assert slack.message("C1", original).blocks == [section("done")]
    visible = [m.text for m in slack.messages("C1") if m.ephemeral_to is None]
    assert visible == ["approved", "everyone"]
    assert [m.text for m in slack.messages("C1") if m.ephemeral_to == "U1"] == ["only you"]
    await webhook.send_dict({"delete_original": True})
    with pytest.raises(KeyError):
        slack.message("C1", original)
    kinds = [(p.get("response_type"), p.get("replace_original")) for p in slack.responses(url)]
    assert kinds[:3] == [("ephemeral", None), ("in_channel", None), (None, True)]


async def test_response_url_rejects_bad_payloads(slack: FakeSlack) -> None:
    url = slack.new_response_url(channel_id="C1")
    webhook = AsyncWebhookClient(url)
    too_many = await webhook.send(text="t", blocks=[{"type": "divider"}] * 51)
    assert (too_many.status_code, json.loads(too_many.body)["error"]) == (400, "invalid_blocks")
    async with httpx.AsyncClient() as http:
        garbage = await http.post(url, content=b"not json")
        unknown = await http.post(f"{slack.base_url}/commands/T1/999/nope", json={"text": "x"})
    assert (garbage.status_code, garbage.json()["error"]) == (400, "invalid_payload")
    assert unknown.status_code == 404
    assert slack.response_url_state(url).uses == 0
