"""Key layout, Cluster hash slots, and the TTLs that keep the store from leaking."""

from __future__ import annotations

import pytest
import redis.asyncio as aioredis
from redis.crc import key_slot

from bot.approvals.store import ApprovalStore
from bot.approvals.store.codec import text
from bot.approvals.store.keys import PENDING_HISTORY_SECONDS, RETENTION_SECONDS, Keys
from bot.ops.model.states import ApprovalState
from tests.approvals.helpers import REQUESTER, TTL, FakeClock, make_request, reach

RID = "abcdEFGH1234_-xy"


def _located(keys: Keys) -> list[str]:
    return keys.for_request(
        RID, entity_kind="gate", entity_id="nav", action="gate.disable", requester_id="U1"
    ).as_list()


def test_default_layout() -> None:
    keys = Keys()
    assert keys.request(RID) == f"statsig-bot:{{req:{RID}}}:request"
    assert keys.approvals(RID) == f"statsig-bot:{{req:{RID}}}:approvals"
    assert keys.pending == "statsig-bot:{idx}:pending"
    assert keys.lock("gate", "nav", "gate.disable") == "statsig-bot:{idx}:lock:gate:change:nav"
    assert keys.lock("gate", "nav", "gate.rollout") == keys.lock("gate", "nav", "gate.override")
    assert keys.lock("gate", "nav", "incident.kill") == "statsig-bot:{idx}:lock:gate:incident:nav"
    assert Keys(prefix="x:").audit == "x:{idx}:audit"


def test_request_keys_share_a_slot_and_indexes_share_another() -> None:
    located = _located(Keys())
    request_slots = {key_slot(k.encode()) for k in located[:2]}
    index_slots = {key_slot(k.encode()) for k in located[2:]}
    assert len(request_slots) == 1 and len(index_slots) == 1
    assert request_slots != index_slots


def test_single_slot_layout_puts_every_key_in_one_slot() -> None:
    assert len({key_slot(k.encode()) for k in _located(Keys(single_slot=True))}) == 1


@pytest.mark.parametrize("bad", ["", "short", "has}brace", "a" * 65, "sp ace-and-more"])
def test_malformed_request_ids_never_become_keys(bad: str) -> None:
    with pytest.raises(ValueError):
        Keys().request(bad)


@pytest.mark.parametrize(("kind", "action"), [("ga:te", "gate.disable"), ("gate", "{x}")])
def test_key_segments_are_validated(kind: str, action: str) -> None:
    with pytest.raises(ValueError):
        Keys().lock(kind, "nav", action)


async def test_single_slot_store_works(redis_client: aioredis.Redis, clock: FakeClock) -> None:
    store = ApprovalStore(redis_client, clock=clock, single_slot=True)
    rid = await reach(store, clock, ApprovalState.EXECUTED)
    slots = {key_slot(text(k).encode()) for k in await redis_client.keys("*")}
    assert len(slots) == 1
    assert (await store.audit())[-1].request_id == rid


def _close(ttl_ms: int, seconds: float) -> bool:
    return 0 <= seconds * 1000 - ttl_ms < 5_000


async def test_pending_request_lives_until_expiry_plus_history(
    store: ApprovalStore, redis_client: aioredis.Redis
) -> None:
    request = await make_request(store)
    keys = store.keys
    expected = TTL + PENDING_HISTORY_SECONDS
    assert _close(await redis_client.pttl(keys.request(request.id)), expected)
    assert _close(
        await redis_client.pttl(keys.lock("gate", "checkout_v2", "gate.disable")), expected
    )
    assert _close(await redis_client.pttl(keys.requester(REQUESTER)), expected)
    assert _close(
        await redis_client.pttl(keys.entity_audit("gate", "checkout_v2")), RETENTION_SECONDS
    )


async def test_approvals_follow_the_request_ttl_and_terminal_keeps_retention(
    store: ApprovalStore, redis_client: aioredis.Redis
) -> None:
    request = await make_request(store, quorum=2)
    await store.approve(request.id, "U_A", "fp-1", 2)
    keys = store.keys
    expected = TTL + PENDING_HISTORY_SECONDS
    assert _close(await redis_client.pttl(keys.approvals(request.id)), expected)
    await store.approve(request.id, "U_B", "fp-1", 2)
    assert _close(await redis_client.pttl(keys.request(request.id)), RETENTION_SECONDS)
    assert _close(await redis_client.pttl(keys.approvals(request.id)), RETENTION_SECONDS)
    await store.claim(request.id, "exec", 30)
    await store.finish(request.id, "exec", ApprovalState.FAILED, {"error": "boom"})
    for key in (keys.request(request.id), keys.approvals(request.id)):
        assert _close(await redis_client.pttl(key), RETENTION_SECONDS)
    assert await redis_client.pttl(keys.audit) == -1  # capped by length instead


async def test_every_key_has_a_ttl_except_capped_or_swept_indexes(
    store: ApprovalStore, clock: FakeClock, redis_client: aioredis.Redis
) -> None:
    for state in ApprovalState:
        await reach(store, clock, state, entity_id=f"e_{state.value}")
    unbounded = {
        store.keys.audit,
        store.keys.pending,
        store.keys.leases,
        store.keys.review_watch,
    }
    for raw in await redis_client.keys("*"):
        key = text(raw)
        if key not in unbounded:
            assert await redis_client.pttl(key) > 0, key
