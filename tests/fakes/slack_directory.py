"""Read-side methods of the fake: auth.test, users.*, usergroups.users.list, conversations.*."""

from __future__ import annotations

from typing import Any

from tests.fakes.slack_messages import require_scope
from tests.fakes.slack_state import Channel, SlackApiFailure, User, Workspace

__all__ = [
    "auth_test",
    "conversations_info",
    "conversations_open",
    "render_user",
    "usergroups_users_list",
    "users_info",
    "users_lookup_by_email",
]

MAX_MPIM_USERS = 8


def _flag(value: Any) -> bool:
    """Booleans arrive as JSON booleans or as form strings."""
    return value is True or (isinstance(value, str) and value.lower() in ("true", "1"))


def render_user(ws: Workspace, user: User, *, with_email: bool) -> dict[str, Any]:
    """Slack's user object; ``profile.email`` only with ``users:read.email`` and only for people."""
    real_name = user.real_name or user.name
    profile: dict[str, Any] = {
        "real_name": real_name,
        "real_name_normalized": real_name,
        "display_name": user.name,
        "display_name_normalized": user.name,
        "team": user.team_id,
    }
    if with_email and user.email and not user.is_bot:
        profile["email"] = user.email
    return {
        "id": user.id,
        "team_id": user.team_id,
        "name": user.name,
        "deleted": user.deleted,
        "real_name": real_name,
        "tz": "Etc/UTC",
        "tz_offset": 0,
        "is_bot": user.is_bot,
        "is_app_user": False,
        "is_admin": False,
        "updated": int(ws.clock()),
        "profile": profile,
    }


def auth_test(ws: Workspace, args: dict[str, Any], scopes: frozenset[str]) -> dict[str, Any]:
    return {
        "ok": True,
        "url": "https://fake-workspace.slack.com/",
        "team": ws.team_name,
        "user": "statsig-ops",
        "team_id": ws.team_id,
        "user_id": ws.bot_user_id,
        "bot_id": ws.bot_id,
        "app_id": ws.app_id,
        "is_enterprise_install": False,
    }


def users_info(ws: Workspace, args: dict[str, Any], scopes: frozenset[str]) -> dict[str, Any]:
    user = ws.users.get(str(args.get("user")))
    if user is None:
        raise SlackApiFailure("user_not_found")
    with_email = "users:read.email" in scopes
    return {"ok": True, "user": render_user(ws, user, with_email=with_email)}


def users_lookup_by_email(
    ws: Workspace, args: dict[str, Any], scopes: frozenset[str]
) -> dict[str, Any]:
    wanted = str(args.get("email", "")).strip().lower()
    for user in ws.users.values():
        if user.email and not user.is_bot and user.email.lower() == wanted:
            return {"ok": True, "user": render_user(ws, user, with_email=True)}
    raise SlackApiFailure("users_not_found")


def usergroups_users_list(
    ws: Workspace, args: dict[str, Any], scopes: frozenset[str]
) -> dict[str, Any]:
    members = ws.usergroups.get(str(args.get("usergroup")))
    if members is None:
        raise SlackApiFailure("no_such_subteam")
    return {"ok": True, "users": list(members)}


def _read_scope(channel: Channel) -> str:
    if channel.is_im:
        return "im:read"
    if channel.is_mpim:
        return "mpim:read"
    return "groups:read" if channel.is_private else "channels:read"


def _render_channel(ws: Workspace, channel: Channel) -> dict[str, Any]:
    if channel.is_im:
        return {
            "id": channel.id,
            "created": int(ws.clock()),
            "is_im": True,
            "is_org_shared": False,
            "user": channel.dm_user,
            "is_open": True,
        }
    return {
        "id": channel.id,
        "name": channel.name,
        "name_normalized": channel.name,
        "is_channel": not channel.is_private and not channel.is_mpim,
        "is_group": channel.is_private and not channel.is_mpim,
        "is_im": False,
        "is_mpim": channel.is_mpim,
        "is_private": channel.is_private or channel.is_mpim,
        "is_archived": channel.is_archived,
        "is_member": channel.is_member,
        "created": int(ws.clock()),
        "context_team_id": ws.team_id,
    }


def conversations_info(
    ws: Workspace, args: dict[str, Any], scopes: frozenset[str]
) -> dict[str, Any]:
    channel = ws.channels.get(str(args.get("channel")))
    if channel is None or (channel.is_private and not channel.is_member):
        raise SlackApiFailure("channel_not_found")
    require_scope(scopes, _read_scope(channel))
    return {"ok": True, "channel": _render_channel(ws, channel)}


def _user_ids(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value if v]
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return []


def _open_mpim(ws: Workspace, user_ids: list[str]) -> tuple[Channel, bool]:
    members = {*user_ids, ws.bot_user_id}
    for channel in ws.channels.values():
        if channel.is_mpim and channel.members == members:
            return channel, True
    channel_id = ws.next_id("G")
    name = "mpdm-" + "--".join(ws.users[u].name for u in user_ids) + "-1"
    channel = Channel(channel_id, name, is_private=True, is_mpim=True, members=members)
    ws.channels[channel_id] = channel
    return channel, False


def conversations_open(
    ws: Workspace, args: dict[str, Any], scopes: frozenset[str]
) -> dict[str, Any]:
    """A DM (one user) or group DM (2–8 users) with the bot; reopening answers ``already_open``."""
    if args.get("channel"):
        channel = ws.channels.get(str(args["channel"]))
        if channel is None or not (channel.is_im or channel.is_mpim):
            raise SlackApiFailure("channel_not_found")
        existed = True
    else:
        user_ids = _user_ids(args.get("users"))
        if not user_ids:
            raise SlackApiFailure("users_list_not_supplied")
        if len(user_ids) > MAX_MPIM_USERS:
            raise SlackApiFailure("too_many_users")
        for user_id in user_ids:
            if user_id not in ws.users:
                raise SlackApiFailure("user_not_found")
            if ws.users[user_id].deleted:
                raise SlackApiFailure("user_disabled")
        if len(user_ids) == 1:
            require_scope(scopes, "im:write")
            existed = any(c.is_im and c.dm_user == user_ids[0] for c in ws.channels.values())
            channel = ws.open_dm(user_ids[0])
        else:
            require_scope(scopes, "mpim:write")
            channel, existed = _open_mpim(ws, user_ids)
    body: dict[str, Any] = {"ok": True, "channel": {"id": channel.id}}
    if existed:
        body.update(no_op=True, already_open=True)
    if _flag(args.get("return_im")):
        body["channel"] = _render_channel(ws, channel)
    return body
