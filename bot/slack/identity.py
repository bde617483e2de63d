"""Who clicked: Slack user → email → :class:`~bot.ops.model.identity.Actor`, cached in Redis.

The policy and Statsig's reviewer lists speak in emails and Slack user-group IDs, while
Slack payloads carry only user IDs. ``users.info`` gives the email (with the
``users:read.email`` scope) and ``usergroups.users.list`` the members of each ``S…`` group
the policy names. Both answers are cached in Redis with a TTL, so a burst of clicks on
several replicas costs one lookup, and a removed group member loses access within minutes.

A person without a usable email cannot act (the policy could not tell who they are), and the
error says why in words an admin can act on: the missing scope, or a bot user.

Usage::

    identity = SlackIdentity(client, redis, watched_groups={"S0ONCALL"}, role_lookup=roles)
    actor = await identity.actor("U012ALICE")      # raises IdentityError with a user message
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass

import redis.asyncio as aioredis
import structlog
from redis.exceptions import RedisError
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.ops.model.identity import Actor

__all__ = [
    "DEFAULT_GROUP_TTL_SECONDS",
    "DEFAULT_USER_TTL_SECONDS",
    "IdentityError",
    "Profile",
    "SlackIdentity",
]

DEFAULT_USER_TTL_SECONDS = 6 * 3600
DEFAULT_GROUP_TTL_SECONDS = 300
RoleLookup = Callable[[str], Awaitable[str | None]]

_log = structlog.get_logger(__name__)


class IdentityError(Exception):
    """The person cannot be identified; ``str(error)`` is safe to show them.

    ``code`` names the cause for logs and metrics: ``missing_scope``, ``missing_email``,
    ``bot_user``, ``unknown_user`` or Slack's own error code.
    """

    def __init__(self, message: str, *, code: str = "unknown") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class Profile:
    """What we keep of a Slack user: the email the policy knows them by, and a name."""

    user_id: str
    email: str
    display_name: str


class SlackIdentity:
    """Resolves Slack users to actors; every lookup is cached in Redis under ``prefix``."""

    def __init__(
        self,
        client: AsyncWebClient,
        redis: aioredis.Redis,
        *,
        prefix: str = "statsig-bot:",
        user_ttl: int = DEFAULT_USER_TTL_SECONDS,
        group_ttl: int = DEFAULT_GROUP_TTL_SECONDS,
        watched_groups: Iterable[str] = (),
        role_lookup: RoleLookup | None = None,
    ) -> None:
        self._client = client
        self._redis = redis
        self._prefix = prefix
        self._user_ttl = user_ttl
        self._group_ttl = group_ttl
        self.watched_groups = frozenset(g for g in watched_groups if g.startswith("S"))
        self._role_lookup = role_lookup

    def user_key(self, user_id: str) -> str:
        return f"{self._prefix}slack:user:{user_id}"

    def group_key(self, group_id: str) -> str:
        return f"{self._prefix}slack:usergroup:{group_id}"

    async def actor(self, user_id: str) -> Actor:
        """The actor for a Slack user: email, name, watched groups and Statsig role."""
        profile = await self.profile(user_id)
        groups = await self.groups_of(user_id)
        role = await self._role(profile.email)
        return Actor(user_id, profile.email, profile.display_name, groups, role)

    async def profile(self, user_id: str) -> Profile:
        """Email and name of ``user_id``; raises :class:`IdentityError` when unusable."""
        cached = await self._cache_get(self.user_key(user_id))
        if cached is not None:
            data = json.loads(cached)
            return Profile(user_id, str(data["email"]), str(data["name"]))
        profile = await self._fetch_profile(user_id)
        payload = json.dumps({"email": profile.email, "name": profile.display_name})
        await self._cache_set(self.user_key(user_id), payload, self._user_ttl)
        return profile

    async def email(self, user_id: str) -> str:
        return (await self.profile(user_id)).email

    async def group_members(self, group_id: str) -> frozenset[str]:
        """Members of a Slack user group (``S…``); empty when Slack cannot tell us."""
        cached = await self._cache_get(self.group_key(group_id))
        if cached is not None:
            return frozenset(json.loads(cached))
        try:
            response = await self._client.usergroups_users_list(usergroup=group_id)
        except SlackApiError as exc:
            _log.warning("slack.identity.usergroup_failed", group=group_id, error=_code(exc))
            return frozenset()
        members = sorted(str(u) for u in response.get("users") or [])
        await self._cache_set(self.group_key(group_id), json.dumps(members), self._group_ttl)
        return frozenset(members)

    async def groups_of(self, user_id: str) -> frozenset[str]:
        """The watched groups (those the policy names) that ``user_id`` belongs to."""
        found = set()
        for group_id in sorted(self.watched_groups):
            if user_id in await self.group_members(group_id):
                found.add(group_id)
        return frozenset(found)

    def email_key(self, email: str) -> str:
        return f"{self._prefix}slack:email:{email.strip().casefold()}"

    async def by_email(self, email: str) -> Actor | None:
        """The Slack user behind ``email`` (cached), or ``None`` when there is none."""
        key = self.email_key(email)
        user_id = await self._cache_get(key)
        if user_id is None:
            try:
                response = await self._client.users_lookupByEmail(email=email.strip())
            except SlackApiError as exc:
                if _code(exc) != "users_not_found":
                    _log.warning("slack.identity.lookup_failed", error=_code(exc))
                return None
            user_id = str((response.get("user") or {}).get("id") or "")
            if not user_id:
                return None
            await self._cache_set(key, user_id, self._user_ttl)
        try:
            return await self.actor(user_id)
        except IdentityError:
            return None

    async def members(self, names: Sequence[str]) -> list[Actor]:
        """The Slack users the policy's members stand for: user IDs, the users of user
        groups, the accounts behind emails; ``*`` and unknown people yield no one."""
        user_ids: dict[str, None] = {}
        found: dict[str, Actor] = {}
        for name in names:
            if name.startswith(("U", "W")):
                user_ids[name] = None
            elif name.startswith("S"):
                user_ids.update(dict.fromkeys(sorted(await self.group_members(name))))
            elif "@" in name:
                actor = await self.by_email(name)
                if actor is not None:
                    found[actor.user_id] = actor
        for user_id in user_ids:
            if user_id in found:
                continue
            try:
                found[user_id] = await self.actor(user_id)
            except IdentityError:
                continue  # a bot, or someone Slack cannot show: nobody to invite
        return list(found.values())

    async def _fetch_profile(self, user_id: str) -> Profile:
        try:
            response = await self._client.users_info(user=user_id)
        except SlackApiError as exc:
            code = _code(exc)
            if code == "missing_scope":
                raise IdentityError(
                    "I cannot read Slack profiles: the app is missing the users:read scope. "
                    "Ask a Slack admin to reinstall it from the manifest.",
                    code=code,
                ) from None
            if code in ("user_not_found", "user_not_visible"):
                raise IdentityError(
                    f"Slack does not know the user {user_id}.", code="unknown_user"
                ) from None
            raise IdentityError(
                f"Slack could not tell me who you are ({code}).", code=code
            ) from None
        user = response.get("user") or {}
        profile = user.get("profile") or {}
        name = str(profile.get("display_name") or user.get("real_name") or user.get("name") or "")
        if user.get("is_bot"):
            raise IdentityError(
                "Bots and apps cannot make or approve changes: they have no email.",
                code="bot_user",
            )
        email = profile.get("email")
        if not email:
            raise IdentityError(
                "I cannot see your email address in Slack, so I cannot check the policy. "
                "The app needs the users:read.email scope (ask a Slack admin to reinstall it "
                "from the manifest), and your profile needs an email.",
                code="missing_email",
            )
        return Profile(user_id, str(email), name or user_id)

    async def _role(self, email: str) -> str | None:
        if self._role_lookup is None:
            return None
        try:
            return await self._role_lookup(email)
        except Exception as exc:  # an outage must not block reads; the policy denies edits
            _log.warning("slack.identity.role_lookup_failed", error=type(exc).__name__)
            return None

    async def _cache_get(self, key: str) -> str | None:
        try:
            value = await self._redis.get(key)
        except (RedisError, OSError) as exc:
            _log.warning("slack.identity.cache_unavailable", error=type(exc).__name__)
            return None
        if value is None:
            return None
        return value.decode() if isinstance(value, bytes) else str(value)

    async def _cache_set(self, key: str, value: str, ttl: int) -> None:
        try:
            await self._redis.set(key, value, ex=ttl)
        except (RedisError, OSError) as exc:
            _log.warning("slack.identity.cache_unavailable", error=type(exc).__name__)


def _code(exc: SlackApiError) -> str:
    try:
        return str(exc.response.get("error") or "unknown_error")
    except AttributeError:
        return "unknown_error"
