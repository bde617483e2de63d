"""The fake workspace's state: people, channels, messages, views, triggers and the call log.

Kept apart from the HTTP layer so method handlers are plain functions over this state, and so
tests can seed and inspect it directly (``slack.workspace``).
"""

from __future__ import annotations

import itertools
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "DEFAULT_SCOPES",
    "Call",
    "Channel",
    "Clock",
    "ManualClock",
    "Message",
    "ResponsePost",
    "ResponseUrl",
    "SlackApiFailure",
    "User",
    "View",
    "Workspace",
]

Clock = Callable[[], float]

# The scopes our manifest asks for (NOTES.md §6), plus the read scopes the bot's lookups use.
DEFAULT_SCOPES = frozenset(
    {
        "commands",
        "chat:write",
        "chat:write.public",
        "users:read",
        "users:read.email",
        "im:write",
        "channels:read",
        "groups:read",
        "usergroups:read",
    }
)

TRIGGER_TTL_SECONDS = 3.0
RESPONSE_URL_TTL_SECONDS = 30 * 60.0
RESPONSE_URL_MAX_USES = 5


class ManualClock:
    """A clock tests move by hand: ``clock.advance(3.1)`` expires a trigger without sleeping."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class SlackApiFailure(Exception):
    """A handler's way to answer ``{"ok": false, "error": code, **extra}`` with HTTP 200."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"ok": False, "error": self.error, **self.extra}


@dataclass
class User:
    id: str
    name: str
    email: str | None = None
    is_bot: bool = False
    real_name: str = ""
    deleted: bool = False
    team_id: str = "T1"


@dataclass
class Channel:
    id: str
    name: str
    is_private: bool = False
    is_im: bool = False
    is_mpim: bool = False
    is_archived: bool = False
    is_member: bool = True
    members: set[str] | None = None  # None: everyone is a member
    dm_user: str | None = None

    def has_member(self, user_id: str) -> bool:
        return self.members is None or user_id in self.members


@dataclass
class Message:
    """A message as the channel shows it now; ``edits`` keeps the earlier versions."""

    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]
    user: str
    bot_id: str | None
    thread_ts: str | None = None
    attachments: list[Any] = field(default_factory=list)
    metadata: Any = None
    ephemeral_to: str | None = None
    deleted: bool = False
    replies: list[str] = field(default_factory=list)
    edits: list[dict[str, Any]] = field(default_factory=list)

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"type": "message", "text": self.text, "user": self.user}
        data["ts"] = self.ts
        if self.bot_id:
            data.update(subtype="bot_message", bot_id=self.bot_id)
        if self.blocks:
            data["blocks"] = self.blocks
        if self.attachments:
            data["attachments"] = self.attachments
        if self.thread_ts:
            data["thread_ts"] = self.thread_ts
        return data


@dataclass
class View:
    id: str
    data: dict[str, Any]
    hash: str
    root_view_id: str
    previous_view_id: str | None = None
    user_id: str | None = None  # Home tab owner


@dataclass
class ResponsePost:
    """One POST to a ``response_url``: the decoded JSON and the HTTP status it got."""

    payload: dict[str, Any]
    status: int
    at: float


@dataclass
class ResponseUrl:
    url: str
    created_at: float
    channel_id: str | None
    user_id: str | None
    message_ts: str | None
    posts: list[ResponsePost] = field(default_factory=list)

    @property
    def uses(self) -> int:
        return sum(1 for p in self.posts if p.status == 200)


@dataclass
class Call:
    """One Web API call as the fake saw it; ``token`` is kept out of the repr."""

    method: str
    args: dict[str, Any]
    token: str | None = field(repr=False)
    http_method: str
    status: int
    response: dict[str, Any]

    @property
    def ok(self) -> bool:
        return bool(self.response.get("ok"))


class Workspace:
    """Everything the fake Slack remembers, with id and timestamp generators on one clock."""

    def __init__(self, clock: Clock = time.time, *, team_id: str = "T1") -> None:
        self.clock = clock
        self.team_id = team_id
        self.team_name = "Fake Workspace"
        self.bot_user_id = "U0BOT"
        self.bot_id = "B0BOT"
        self.app_id = "A0APP"
        self.users: dict[str, User] = {}
        self.usergroups: dict[str, list[str]] = {}
        self.channels: dict[str, Channel] = {}
        self.messages: dict[tuple[str, str], Message] = {}
        self.views: dict[str, View] = {}
        self.home_views: dict[str, str] = {}  # user id -> view id
        self.triggers: dict[str, tuple[float, str | None]] = {}  # id -> (issued, view id)
        self.used_triggers: set[str] = set()
        self.response_urls: dict[str, ResponseUrl] = {}
        self._counter = itertools.count(1)

    def next_ts(self) -> str:
        """Message timestamps are unique per channel in Slack; unique per fake here."""
        return f"{int(self.clock())}.{next(self._counter):06d}"

    def next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._counter):08X}"

    def new_hash(self) -> str:
        return f"{int(self.clock())}.{secrets.token_hex(4)}"

    def new_trigger_id(self, view_id: str | None = None) -> str:
        trigger = f"{next(self._counter)}.{int(self.clock())}.{secrets.token_hex(16)}"
        self.triggers[trigger] = (self.clock(), view_id)
        return trigger

    def exchange_trigger(self, trigger_id: Any) -> str | None:
        """Consume a trigger (single use, 3 s); returns the view it came from, if any."""
        if not isinstance(trigger_id, str) or not trigger_id:
            raise SlackApiFailure(
                "invalid_arguments",
                response_metadata={"messages": ["[ERROR] missing required field: trigger_id"]},
            )
        if trigger_id in self.used_triggers:
            raise SlackApiFailure("exchanged_trigger_id")
        if trigger_id not in self.triggers:
            raise SlackApiFailure("invalid_trigger_id")
        issued, view_id = self.triggers[trigger_id]
        if self.clock() - issued > TRIGGER_TTL_SECONDS:
            raise SlackApiFailure("expired_trigger_id")
        self.used_triggers.add(trigger_id)
        return view_id

    def find_channel(self, ref: Any) -> Channel:
        """By id, by ``#name``/name, or a user id (Slack posts those into the app DM)."""
        if isinstance(ref, str) and ref:
            if ref in self.channels:
                return self.channels[ref]
            if ref in self.users:
                return self.open_dm(ref)
            name = ref.removeprefix("#")
            for channel in self.channels.values():
                if channel.name == name and not channel.is_im:
                    return channel
        raise SlackApiFailure("channel_not_found")

    def open_dm(self, user_id: str) -> Channel:
        for channel in self.channels.values():
            if channel.is_im and channel.dm_user == user_id:
                return channel
        channel_id = self.next_id("D")
        members = {user_id, self.bot_user_id}
        channel = Channel(channel_id, channel_id, is_im=True, members=members, dm_user=user_id)
        self.channels[channel_id] = channel
        return channel

    def live_message(self, channel_id: str, ts: Any) -> Message:
        message = self.messages.get((channel_id, str(ts)))
        if message is None or message.deleted:
            raise SlackApiFailure("message_not_found")
        return message
