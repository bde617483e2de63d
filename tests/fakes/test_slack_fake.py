"""The fake Slack Web API, driven by slack_sdk's AsyncWebClient over real HTTP."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.slack import HANDLERS, FakeSlack
from tests.fakes.slack_reference import load_reference
from tests.fakes.slack_state import ManualClock


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def slack(clock: ManualClock) -> AsyncIterator[FakeSlack]:
    async with FakeSlack(clock=clock) as fake:
        fake.add_user("U1", "alice", email="Alice@Example.com", real_name="Alice A")
        fake.add_user("U2", "bob", email="bob@example.com")
        fake.add_user("U3", "carol")
        fake.add_user("UBOT2", "otherbot", email="bot@example.com", is_bot=True)
        fake.add_usergroup("S1", ["U1", "U2"])
        fake.add_channel("C1", "ops", members=["U1", "U2"])
        fake.add_channel("CPUB", "general", is_member=False)
        fake.add_channel("CPRIV", "secret", is_private=True, is_member=False)
        fake.add_channel("CMINE", "team", is_private=True)
        fake.add_channel("COLD", "old", is_archived=True)
        yield fake


@pytest.fixture
def client(slack: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)


async def error_of(call: Any) -> dict[str, Any]:
    """The ``ok: false`` body a call was answered with."""
    with pytest.raises(SlackApiError) as caught:
        await call
    assert caught.value.response.status_code == 200
    return dict(caught.value.response.data)


def test_every_reference_method_is_served() -> None:
    assert set(load_reference()) - {"apps.connections.open"} == set(HANDLERS)


async def test_api_url_is_loopback_and_ends_with_api(slack: FakeSlack) -> None:
    assert slack.api_url.startswith("http://127.0.0.1:")
    assert slack.api_url.endswith("/api/")


# -- auth ---------------------------------------------------------------------------------------


async def test_auth_test_answers_with_the_bot_identity(client: AsyncWebClient) -> None:
    response = await client.auth_test()
    assert response["team_id"] == "T1"
    assert response["user_id"] == "U0BOT"
    assert response["bot_id"] == "B0BOT"
    assert response["is_enterprise_install"] is False


async def test_missing_token_is_not_authed(slack: FakeSlack) -> None:
    body = await error_of(AsyncWebClient(base_url=slack.api_url).auth_test())
    assert body == {"ok": False, "error": "not_authed"}


async def test_wrong_token_is_invalid_auth(slack: FakeSlack) -> None:
    wrong = AsyncWebClient(token="xoxb-wrong", base_url=slack.api_url)
    assert (await error_of(wrong.auth_test()))["error"] == "invalid_auth"
    assert slack.calls[-1].token == "xoxb-wrong"


async def test_app_token_cannot_call_bot_methods(slack: FakeSlack) -> None:
    app = AsyncWebClient(token=slack.app_token, base_url=slack.api_url)
    assert (await error_of(app.auth_test()))["error"] == "not_allowed_token_type"


async def test_token_may_come_as_a_form_field_but_not_inside_json(slack: FakeSlack) -> None:
    async with httpx.AsyncClient(base_url=slack.api_url) as http:
        form = await http.post("auth.test", data={"token": slack.bot_token})
        inside_json = await http.post("auth.test", json={"token": slack.bot_token})
    assert form.json()["ok"] is True
    assert inside_json.json() == {"ok": False, "error": "not_authed"}


async def test_malformed_json_body_is_invalid_json(slack: FakeSlack) -> None:
    headers = {"Authorization": f"Bearer {slack.bot_token}", "Content-Type": "application/json"}
    async with httpx.AsyncClient(base_url=slack.api_url) as http:
        response = await http.post("chat.postMessage", content=b"{nope", headers=headers)
    assert response.status_code == 200
    assert response.json() == {"ok": False, "error": "invalid_json"}


async def test_unknown_method(client: AsyncWebClient) -> None:
    body = await error_of(client.api_call("chat.scheduleMessage", json={"channel": "C1"}))
    assert body["error"] == "unknown_method"


# -- call log -------------------------------------------------------------------------------


async def test_calls_record_method_args_token_and_response(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    response = await client.chat_postMessage(channel="C1", text="hello", thread_ts=None)
    [call] = slack.calls_to("chat.postMessage")
    assert call.args == {"channel": "C1", "text": "hello"}
    assert call.token == slack.bot_token
    assert call.http_method == "POST"
    assert call.response == response.data
    assert call.ok
    assert slack.bot_token not in repr(call)
    assert slack.bot_token not in repr(slack)


async def test_wait_for_calls_returns_once_the_call_arrives(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    task = asyncio.create_task(client.users_info(user="U1"))
    [call] = await slack.wait_for_calls("users.info", timeout=5)
    assert call.args == {"user": "U1"}
    await task


async def test_reset_forgets_calls_and_faults(slack: FakeSlack, client: AsyncWebClient) -> None:
    await client.auth_test()
    slack.fail_with("auth.test", "internal_error")
    slack.reset()
    assert slack.calls == []
    assert (await client.auth_test())["ok"] is True


# -- chat.postMessage ---------------------------------------------------------------------


async def test_post_message_keeps_state_and_answers_slacks_shape(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]
    response = await client.chat_postMessage(channel="C1", text="hi", blocks=blocks)
    assert response["channel"] == "C1"
    assert response["message"]["subtype"] == "bot_message"
    assert response["message"]["bot_id"] == "B0BOT"
    assert response["message"]["ts"] == response["ts"]
    assert slack.message("C1", response["ts"]).blocks == blocks


async def test_post_message_accepts_form_bodies_with_json_strings(slack: FakeSlack) -> None:
    blocks = [{"type": "divider"}]
    form = {"channel": "C1", "text": "t", "blocks": json.dumps(blocks)}
    headers = {"Authorization": f"Bearer {slack.bot_token}"}
    async with httpx.AsyncClient(base_url=slack.api_url, headers=headers) as http:
        response = (await http.post("chat.postMessage", data=form)).json()
    assert response["ok"] is True
    assert slack.message("C1", response["ts"]).blocks == blocks


async def test_threads_are_recorded(slack: FakeSlack, client: AsyncWebClient) -> None:
    parent = await client.chat_postMessage(channel="C1", text="parent")
    reply = await client.chat_postMessage(channel="C1", text="reply", thread_ts=parent["ts"])
    assert reply["message"]["thread_ts"] == parent["ts"]
    assert [m.text for m in slack.thread("C1", parent["ts"])] == ["reply"]


async def test_post_by_channel_name_and_to_a_user_dm(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    by_name = await client.chat_postMessage(channel="#ops", text="x")
    to_user = await client.chat_postMessage(channel="U2", text="x")
    assert by_name["channel"] == "C1"
    assert to_user["channel"].startswith("D")


@pytest.mark.parametrize(
    ("channel", "error"),
    [
        ("CNOPE", "channel_not_found"),
        ("COLD", "is_archived"),
        ("CPRIV", "channel_not_found"),
    ],
)
async def test_post_message_channel_errors(
    client: AsyncWebClient, channel: str, error: str
) -> None:
    assert (await error_of(client.chat_postMessage(channel=channel, text="x")))["error"] == error


async def test_public_channel_needs_chat_write_public_when_not_a_member(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    assert (await client.chat_postMessage(channel="CPUB", text="x"))["ok"] is True
    slack.scopes.discard("chat:write.public")
    body = await error_of(client.chat_postMessage(channel="CPUB", text="x"))
    assert body["error"] == "not_in_channel"


async def test_missing_scope_names_needed_and_provided(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    slack.scopes.discard("chat:write")
    body = await error_of(client.chat_postMessage(channel="C1", text="x"))
    assert body["error"] == "missing_scope"
    assert body["needed"] == "chat:write"
    assert body["provided"].split(",") == sorted(slack.scopes)


async def test_no_text_and_text_length(client: AsyncWebClient) -> None:
    # api_call: the SDK's chat_postMessage warns before sending a message without text
    no_text = client.api_call("chat.postMessage", json={"channel": "C1"})
    assert (await error_of(no_text))["error"] == "no_text"
    assert (await client.chat_postMessage(channel="C1", text="x" * 40_000))["ok"] is True
    too_long = client.chat_postMessage(channel="C1", text="x" * 40_001)
    assert (await error_of(too_long))["error"] == "msg_too_long"


async def test_fifty_blocks_pass_and_fifty_one_fail(client: AsyncWebClient) -> None:
    divider = {"type": "divider"}
    assert (await client.chat_postMessage(channel="C1", text="x", blocks=[divider] * 50))["ok"]
    body = await error_of(client.chat_postMessage(channel="C1", text="x", blocks=[divider] * 51))
    assert body["error"] == "invalid_blocks"
    assert body["response_metadata"]["messages"] == [
        "[ERROR] no more than 50 items allowed [json-pointer:/blocks]"
    ]


async def test_malformed_blocks_json_in_a_form_is_invalid_blocks(slack: FakeSlack) -> None:
    form = {"channel": "C1", "text": "t", "blocks": "[{"}
    headers = {"Authorization": f"Bearer {slack.bot_token}"}
    async with httpx.AsyncClient(base_url=slack.api_url, headers=headers) as http:
        body = (await http.post("chat.postMessage", data=form)).json()
    assert body["ok"] is False
    assert body["error"] == "invalid_blocks"


async def test_markdown_text_and_attachments(slack: FakeSlack, client: AsyncWebClient) -> None:
    posted = await client.chat_postMessage(channel="C1", markdown_text="**bold**")
    assert slack.message("C1", posted["ts"]).text == "**bold**"
    conflict = client.chat_postMessage(channel="C1", text="t", markdown_text="**b**")
    assert (await error_of(conflict))["error"] == "markdown_text_conflict"
    form = {"channel": "C1", "text": "t", "attachments": "[{oops"}
    headers = {"Authorization": f"Bearer {slack.bot_token}"}
    async with httpx.AsyncClient(base_url=slack.api_url, headers=headers) as http:
        body = (await http.post("chat.postMessage", data=form)).json()
    assert body["error"] == "invalid_attachments"


def test_reference_knows_which_errors_a_method_documents() -> None:
    spec = load_reference()["views.open"]
    assert spec.allows_error("expired_trigger_id")
    assert spec.allows_error("invalid_auth")
    assert not spec.allows_error("message_not_found")
    assert load_reference()["users.lookupByEmail"].bot_scopes == ("users:read.email",)


# -- chat.update / postEphemeral / delete ---------------------------------------------------


async def test_update_replaces_content_and_keeps_history(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    posted = await client.chat_postMessage(channel="C1", text="v1", blocks=[{"type": "divider"}])
    new_blocks = [{"type": "header", "text": {"type": "plain_text", "text": "v2"}}]
    updated = await client.chat_update(channel="C1", ts=posted["ts"], text="v2", blocks=new_blocks)
    assert updated["ts"] == posted["ts"]
    assert updated["text"] == "v2"
    message = slack.message("C1", posted["ts"])
    assert message.blocks == new_blocks
    assert [e["text"] for e in message.edits] == ["v1"]


async def test_update_without_blocks_keeps_the_old_blocks(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    posted = await client.chat_postMessage(channel="C1", text="v1", blocks=[{"type": "divider"}])
    await client.chat_update(channel="C1", ts=posted["ts"], text="v2")
    assert slack.message("C1", posted["ts"]).blocks == [{"type": "divider"}]


async def test_update_errors(slack: FakeSlack, client: AsyncWebClient) -> None:
    assert (await error_of(client.chat_update(channel="C1", ts="1.000001", text="x")))[
        "error"
    ] == "message_not_found"
    theirs = slack.add_message("C1", "human words", user="U1")
    body = await error_of(client.chat_update(channel="C1", ts=theirs, text="x"))
    assert body["error"] == "cant_update_message"
    ephemeral = await client.chat_postEphemeral(channel="C1", user="U1", text="psst")
    body = await error_of(client.chat_update(channel="C1", ts=ephemeral["message_ts"], text="x"))
    assert body["error"] == "cant_update_message"


async def test_update_validates_blocks(client: AsyncWebClient) -> None:
    posted = await client.chat_postMessage(channel="C1", text="v1")
    bad = [{"type": "sparkles"}]
    update = client.api_call(
        "chat.update", json={"channel": "C1", "ts": posted["ts"], "blocks": bad}
    )
    body = await error_of(update)
    assert body["error"] == "invalid_blocks"


async def test_post_ephemeral(slack: FakeSlack, client: AsyncWebClient) -> None:
    response = await client.chat_postEphemeral(channel="C1", user="U1", text="only you")
    message = slack.message("C1", response["message_ts"])
    assert message.ephemeral_to == "U1"
    body = await error_of(client.chat_postEphemeral(channel="C1", user="U3", text="x"))
    assert body["error"] == "user_not_in_channel"
    body = await error_of(
        client.api_call("chat.postEphemeral", json={"channel": "C1", "user": "U1"})
    )
    assert body["error"] == "no_text"


async def test_delete(slack: FakeSlack, client: AsyncWebClient) -> None:
    posted = await client.chat_postMessage(channel="C1", text="bye")
    deleted = await client.chat_delete(channel="C1", ts=posted["ts"])
    assert deleted["ts"] == posted["ts"]
    with pytest.raises(KeyError):
        slack.message("C1", posted["ts"])
    again = await error_of(client.chat_delete(channel="C1", ts=posted["ts"]))
    assert again["error"] == "message_not_found"
    theirs = slack.add_message("C1", "mine", user="U2")
    body = await error_of(client.chat_delete(channel="C1", ts=theirs))
    assert body["error"] == "cant_delete_message"


# -- users, usergroups, conversations ------------------------------------------------------


async def test_users_info_includes_email_only_with_the_email_scope(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    user = (await client.users_info(user="U1"))["user"]
    assert user["profile"]["email"] == "Alice@Example.com"
    assert user["real_name"] == "Alice A"
    assert user["is_bot"] is False
    slack.scopes.discard("users:read.email")
    assert "email" not in (await client.users_info(user="U1"))["user"]["profile"]
    assert slack.calls_to("users.info")[-1].http_method == "GET"


async def test_users_info_bots_have_no_email_and_unknown_users_fail(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    bot = (await client.users_info(user="UBOT2"))["user"]
    assert bot["is_bot"] is True
    assert "email" not in bot["profile"]
    assert (await error_of(client.users_info(user="UNOPE")))["error"] == "user_not_found"
    slack.scopes.discard("users:read")
    body = await error_of(client.users_info(user="U1"))
    assert (body["error"], body["needed"]) == ("missing_scope", "users:read")


async def test_lookup_by_email(slack: FakeSlack, client: AsyncWebClient) -> None:
    found = await client.users_lookupByEmail(email="alice@example.COM")
    assert found["user"]["id"] == "U1"
    body = await error_of(client.users_lookupByEmail(email="bot@example.com"))
    assert body["error"] == "users_not_found"
    slack.scopes.discard("users:read.email")
    body = await error_of(client.users_lookupByEmail(email="bob@example.com"))
    assert (body["error"], body["needed"]) == ("missing_scope", "users:read.email")


async def test_usergroup_members(client: AsyncWebClient) -> None:
    assert (await client.usergroups_users_list(usergroup="S1"))["users"] == ["U1", "U2"]
    body = await error_of(client.usergroups_users_list(usergroup="SNOPE"))
    assert body["error"] == "no_such_subteam"


async def test_conversations_info(slack: FakeSlack, client: AsyncWebClient) -> None:
    public = (await client.conversations_info(channel="C1"))["channel"]
    assert (public["name"], public["is_channel"], public["is_private"]) == ("ops", True, False)
    private = (await client.conversations_info(channel="CMINE"))["channel"]
    assert (private["is_private"], private["is_group"]) == (True, True)
    assert (await error_of(client.conversations_info(channel="CPRIV")))[
        "error"
    ] == "channel_not_found"
    slack.scopes.discard("groups:read")
    body = await error_of(client.conversations_info(channel="CMINE"))
    assert (body["error"], body["needed"]) == ("missing_scope", "groups:read")


async def test_conversations_open_gives_one_dm_per_user(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    first = await client.conversations_open(users="U2")
    again = await client.conversations_open(users="U2", return_im=True)
    assert first["channel"]["id"] == again["channel"]["id"]
    assert again["already_open"] is True
    assert again["channel"]["is_im"] is True
    assert again["channel"]["user"] == "U2"
    dm_info = client.conversations_info(channel=first["channel"]["id"])
    assert (await error_of(dm_info))["needed"] == "im:read"  # not in the default scopes
    slack.scopes.add("im:read")
    info = await client.conversations_info(channel=first["channel"]["id"])
    assert info["channel"]["is_im"] is True


async def test_conversations_open_errors_and_group_dms(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    nobody = client.api_call("conversations.open", params={})  # the SDK refuses this itself
    assert (await error_of(nobody))["error"] == "users_list_not_supplied"
    assert (await error_of(client.conversations_open(users="UNOPE")))["error"] == "user_not_found"
    body = await error_of(client.conversations_open(users="U1,U2"))
    assert (body["error"], body["needed"]) == ("missing_scope", "mpim:write")
    slack.scopes.add("mpim:write")
    group = await client.conversations_open(users="U1,U2", return_im=True)
    assert group["channel"]["is_mpim"] is True
    slack.scopes.discard("im:write")
    body = await error_of(client.conversations_open(users="U3"))
    assert (body["error"], body["needed"]) == ("missing_scope", "im:write")


# -- faults ---------------------------------------------------------------------------------


async def test_rate_limit_answers_429_with_retry_after_then_recovers(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    slack.rate_limit("chat.postMessage", times=1, retry_after=7)
    with pytest.raises(SlackApiError) as caught:
        await client.chat_postMessage(channel="C1", text="x")
    assert caught.value.response.status_code == 429
    assert caught.value.response.headers["Retry-After"] == "7"
    assert caught.value.response.data == {"ok": False, "error": "ratelimited"}
    assert (await client.chat_postMessage(channel="C1", text="x"))["ok"] is True
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [429, 200]


async def test_sdk_retry_handler_gets_through_a_rate_limit(slack: FakeSlack) -> None:
    slack.rate_limit("auth.test", times=1, retry_after=0)
    retrying = AsyncWebClient(
        token=slack.bot_token,
        base_url=slack.api_url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)],
    )
    assert (await retrying.auth_test())["ok"] is True
    assert [c.status for c in slack.calls_to("auth.test")] == [429, 200]


async def test_server_errors_for_the_next_n_calls(slack: FakeSlack, client: AsyncWebClient) -> None:
    slack.server_error("users.info", times=2, status=503)
    for _ in range(2):
        with pytest.raises(SlackApiError) as caught:
            await client.users_info(user="U1")
        assert caught.value.response.status_code == 503
    assert (await client.users_info(user="U1"))["ok"] is True


async def test_fail_with_any_documented_code(slack: FakeSlack, client: AsyncWebClient) -> None:
    slack.fail_with("chat.postMessage", "restricted_action")
    body = await error_of(client.chat_postMessage(channel="C1", text="x"))
    assert body == {"ok": False, "error": "restricted_action"}


async def test_latency_makes_clients_time_out(slack: FakeSlack) -> None:
    slack.set_latency(0.5, "auth.test")
    impatient = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
    impatient.timeout = 0.05  # type: ignore[assignment]  # the SDK annotates int, uses float
    with pytest.raises(asyncio.TimeoutError):
        await impatient.auth_test()
