"""The Lua scripts that are the only writers of approval state.

Each transition is one script, so a check and the write it guards happen atomically: two
replicas, a double click or a Slack retry see either the state before or the state after,
never half of it. Every script receives all keys through ``KEYS`` (never builds one) and the
time through ``ARGV`` (never calls ``TIME``), so tests control the clock.

Transition scripts share one ``KEYS`` layout (:class:`bot.approvals.keys.RequestKeys`) and the
first six ``ARGV`` (see ``_PRELUDE``); each header lists the rest. Replies are flat arrays:
``{'ok', state, ...}``, ``{'refused', code, state}`` or, for create, ``{'locked', id, user}``.
Reaching a terminal state always goes through ``finalize``: indexes cleared, lock released,
retention TTL set, audit entry written.
"""

from __future__ import annotations

__all__ = [
    "APPROVE",
    "CANCEL",
    "CLAIM",
    "CREATE",
    "EXPIRE",
    "FINISH",
    "FINISH_INTERRUPTED",
    "INVALIDATE",
    "RECLAIM",
    "REJECT",
    "SET_MESSAGE_REF",
]

_PRELUDE = """
-- Shared layout. KEYS[1] request hash, KEYS[2] approvals hash, KEYS[3] pending zset,
-- KEYS[4] leases zset, KEYS[5] interrupted zset, KEYS[6] requester zset, KEYS[7] lock hash,
-- KEYS[8] audit stream, KEYS[9] entity audit stream.
-- ARGV[1] request id, ARGV[2] now (epoch seconds), ARGV[3] actor user/executor id,
-- ARGV[4] retention ms, ARGV[5] audit MAXLEN, ARGV[6] entity audit MAXLEN.
local id, now, actor, retention = ARGV[1], ARGV[2], ARGV[3], ARGV[4]

local function field(name)
  return redis.call('HGET', KEYS[1], name)
end

-- Raise a key's TTL to at least ms, never lower it.
local function extend(key, ms)
  local ttl = redis.call('PTTL', key)
  if ttl ~= -2 and ttl < tonumber(ms) then redis.call('PEXPIRE', key, ms) end
end

local function audit(event, from, to, extra)
  local fields = {'request_id', id, 'event', event, 'from', from, 'to', to, 'actor', actor,
    'at', now, 'entity_kind', field('entity_kind'), 'entity_id', field('entity_id'),
    'action', field('action')}
  for _, v in ipairs(extra or {}) do fields[#fields + 1] = v end
  redis.call('XADD', KEYS[8], 'MAXLEN', '~', ARGV[5], '*', unpack(fields))
  redis.call('XADD', KEYS[9], 'MAXLEN', '~', ARGV[6], '*', unpack(fields))
  redis.call('PEXPIRE', KEYS[9], retention)
end

local function release_lock()
  if redis.call('HGET', KEYS[7], 'request_id') == id then redis.call('DEL', KEYS[7]) end
end

local function refuse(code)
  return {'refused', code, field('state') or ''}
end

-- The hash is gone (retention ran out): drop what still points at it.
local function gone()
  for i = 3, 6 do redis.call('ZREM', KEYS[i], id) end
  release_lock()
  return {'refused', 'not_found', ''}
end

local function finalize(state, event, from, extra)
  redis.call('HSET', KEYS[1], 'state', state, 'finished_at', now)
  for i = 3, 6 do redis.call('ZREM', KEYS[i], id) end
  release_lock()
  redis.call('PEXPIRE', KEYS[1], retention)
  redis.call('PEXPIRE', KEYS[2], retention)
  audit(event, from, state, extra)
  return {'ok', state}
end

-- Any touch of a pending request past its expiry expires it, sweeper or not.
local function expire_if_due()
  if tonumber(now) >= tonumber(field('expires_at')) then
    finalize('expired', 'expired', 'pending')
    return true
  end
  return false
end
"""


def _script(header: str, body: str) -> str:
    return header.strip() + "\n" + _PRELUDE + body


CREATE = _script(
    """
-- create: a new pending request, unless the entity lock is held.
-- KEYS: shared layout. ARGV[1..6]: shared (ARGV[3] is the requester id).
-- ARGV[7] TTL ms for request and lock, ARGV[8] expires-at,
-- ARGV[9..] field/value pairs of the request hash.
-- Reply: {'ok', 'pending'} | {'locked', holder id, holder requester} | {'refused', 'exists', ''}
""",
    """
if redis.call('EXISTS', KEYS[1]) == 1 then return {'refused', 'exists', ''} end
local holder = redis.call('HGET', KEYS[7], 'request_id')
if holder then
  return {'locked', holder, redis.call('HGET', KEYS[7], 'requester_id') or ''}
end
local fields = {}
for i = 9, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], 'id', id, 'state', 'pending', 'created_at', now,
  'expires_at', ARGV[8], 'requester_id', actor, unpack(fields))
redis.call('PEXPIRE', KEYS[1], ARGV[7])
redis.call('ZADD', KEYS[3], ARGV[8], id)
redis.call('ZADD', KEYS[6], now, id)
extend(KEYS[6], ARGV[7])
redis.call('HSET', KEYS[7], 'request_id', id, 'requester_id', actor)
redis.call('PEXPIRE', KEYS[7], ARGV[7])
audit('created', '', 'pending')
return {'ok', 'pending'}
""",
)

APPROVE = _script(
    """
-- approve: count ARGV[3] once; at quorum the request becomes approved.
-- KEYS: shared layout. ARGV[1..6]: shared (ARGV[3] is the approver id).
-- ARGV[7] plan fingerprint the approver saw, ARGV[8] quorum asked by the caller (the stored
-- one is a floor), ARGV[9] '1' if policy allows self-approval.
-- Reply: {'ok', state, approvals, quorum} | {'refused', code, state}
""",
    """
local state = field('state')
if not state then return gone() end
if state ~= 'pending' then return refuse('wrong_state') end
if expire_if_due() then return refuse('expired') end
if field('plan_fingerprint') ~= ARGV[7] then return refuse('plan_changed') end
if actor == field('requester_id') and ARGV[9] ~= '1' then return refuse('self_approval') end
if redis.call('HSETNX', KEYS[2], actor, now) == 0 then return refuse('already_approved') end
redis.call('PEXPIRE', KEYS[2], redis.call('PTTL', KEYS[1]))
local count = redis.call('HLEN', KEYS[2])
local quorum = math.max(tonumber(field('quorum')), tonumber(ARGV[8]))
local extra = {'approvals', tostring(count), 'quorum', tostring(quorum)}
if count < quorum then
  audit('approval', 'pending', 'pending', extra)
  return {'ok', 'pending', count, quorum}
end
redis.call('HSET', KEYS[1], 'state', 'approved', 'approved_at', now)
redis.call('ZREM', KEYS[3], id)
for _, i in ipairs({1, 2, 6, 7}) do extend(KEYS[i], retention) end
audit('approved', 'pending', 'approved', extra)
return {'ok', 'approved', count, quorum}
""",
)

REJECT = _script(
    """
-- reject: pending → rejected, with who, when and why.
-- KEYS: shared layout. ARGV[1..6]: shared (ARGV[3] is the rejecting user).
-- ARGV[7] reason (required, not blank).
-- Reply: {'ok', 'rejected'} | {'refused', code, state}
""",
    """
local state = field('state')
if not state then return gone() end
if state ~= 'pending' then return refuse('wrong_state') end
if expire_if_due() then return refuse('expired') end
if string.match(ARGV[7], '^%s*$') then return refuse('reason_required') end
redis.call('HSET', KEYS[1], 'rejected_by', actor, 'rejected_at', now,
  'rejection_reason', ARGV[7])
return finalize('rejected', 'rejected', 'pending', {'reason', ARGV[7]})
""",
)

CANCEL = _script(
    """
-- cancel: pending → cancelled, only by the stored requester.
-- KEYS: shared layout. ARGV[1..6]: shared (ARGV[3] is the cancelling user).
-- Reply: {'ok', 'cancelled'} | {'refused', code, state}
""",
    """
local state = field('state')
if not state then return gone() end
if state ~= 'pending' then return refuse('wrong_state') end
if expire_if_due() then return refuse('expired') end
if actor ~= field('requester_id') then return refuse('not_requester') end
return finalize('cancelled', 'cancelled', 'pending')
""",
)

EXPIRE = _script(
    """
-- expire: pending and past its expiry → expired (the sweeper; safe to repeat).
-- KEYS: shared layout. ARGV[1..6]: shared (ARGV[3] names the sweeper).
-- Reply: {'ok', 'expired'} | {'refused', code, state}
""",
    """
local state = field('state')
if not state then return gone() end
if state ~= 'pending' then
  redis.call('ZREM', KEYS[3], id)
  return refuse('wrong_state')
end
if expire_if_due() then return {'ok', 'expired'} end
return refuse('not_due')
""",
)

CLAIM = _script(
    """
-- claim: approved → executing under a lease; exactly one caller wins.
-- KEYS: shared layout. ARGV[1..6]: shared (ARGV[3] is the executor id).
-- ARGV[7] lease-ends-at (epoch seconds).
-- Reply: {'ok', 'executing'} | {'refused', code, state}
""",
    """
local state = field('state')
if not state then return gone() end
if state ~= 'approved' then return refuse('wrong_state') end
redis.call('HSET', KEYS[1], 'state', 'executing', 'executor', actor, 'claimed_at', now,
  'lease_expires_at', ARGV[7])
redis.call('ZADD', KEYS[4], ARGV[7], id)
audit('claimed', 'approved', 'executing', {'lease_expires_at', ARGV[7]})
return {'ok', 'executing'}
""",
)

FINISH = _script(
    """
-- finish: executing → executed | failed | submitted_for_review, by the lease holder only.
-- KEYS: shared layout. ARGV[1..6]: shared (ARGV[3] is the executor id).
-- ARGV[7] final state, ARGV[8] outcome JSON (opaque).
-- Reply: {'ok', state} | {'refused', code, state}
""",
    """
local state = field('state')
if not state then return gone() end
if state ~= 'executing' then return refuse('wrong_state') end
local target = ARGV[7]
if target ~= 'executed' and target ~= 'failed' and target ~= 'submitted_for_review' then
  return refuse('invalid_state')
end
if redis.call('HEXISTS', KEYS[1], 'interrupted_at') == 1 then return refuse('interrupted') end
if field('executor') ~= actor then return refuse('not_lease_holder') end
redis.call('HSET', KEYS[1], 'outcome', ARGV[8])
return finalize(target, 'finished', 'executing', {'outcome', ARGV[8]})
""",
)

RECLAIM = _script(
    """
-- reclaim: an executing request whose lease ended is marked interrupted, exactly once,
-- so a sweeper can check Statsig and record the verdict with finish_interrupted.
-- KEYS: shared layout. ARGV[1..6]: shared (ARGV[3] names the sweeper).
-- Reply: {'ok', 'executing'} | {'refused', code, state}
""",
    """
local state = field('state')
if not state then return gone() end
if state ~= 'executing' then
  redis.call('ZREM', KEYS[4], id)
  return refuse('wrong_state')
end
if redis.call('HEXISTS', KEYS[1], 'interrupted_at') == 1 then
  redis.call('ZREM', KEYS[4], id)
  return refuse('interrupted')
end
if tonumber(now) < tonumber(field('lease_expires_at')) then return refuse('not_due') end
redis.call('HSET', KEYS[1], 'interrupted_at', now)
redis.call('ZREM', KEYS[4], id)
redis.call('ZADD', KEYS[5], now, id)
audit('interrupted', 'executing', 'executing', {'executor', field('executor')})
return {'ok', 'executing'}
""",
)

FINISH_INTERRUPTED = _script(
    """
-- finish_interrupted: record the verdict on a reclaimed execution (executed if Statsig shows
-- the change, else failed).
-- KEYS: shared layout. ARGV[1..6]: shared (ARGV[3] names the sweeper).
-- ARGV[7] final state, ARGV[8] outcome JSON (opaque).
-- Reply: {'ok', state} | {'refused', code, state}
""",
    """
local state = field('state')
if not state then return gone() end
if state ~= 'executing' then return refuse('wrong_state') end
if ARGV[7] ~= 'executed' and ARGV[7] ~= 'failed' then return refuse('invalid_state') end
if redis.call('HEXISTS', KEYS[1], 'interrupted_at') == 0 then
  return refuse('not_interrupted')
end
redis.call('HSET', KEYS[1], 'outcome', ARGV[8])
return finalize(ARGV[7], 'finished_interrupted', 'executing', {'outcome', ARGV[8]})
""",
)

INVALIDATE = _script(
    """
-- invalidate: the plan was edited or the entity changed; collected approvals no longer count.
-- KEYS: shared layout. ARGV[1..6]: shared (ARGV[3] names who or what noticed).
-- ARGV[7] new plan fingerprint, ARGV[8] new plan JSON (opaque).
-- Reply: {'ok', 'pending', 0, quorum} | {'refused', code, state}
""",
    """
local state = field('state')
if not state then return gone() end
if state ~= 'pending' then return refuse('wrong_state') end
if expire_if_due() then return refuse('expired') end
local cleared = redis.call('HLEN', KEYS[2])
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[1], 'plan_fingerprint', ARGV[7], 'plan_json', ARGV[8],
  'invalidated_at', now)
audit('invalidated', 'pending', 'pending', {'cleared_approvals', tostring(cleared)})
return {'ok', 'pending', 0, tonumber(field('quorum'))}
""",
)

SET_MESSAGE_REF = """
-- set_message_ref: remember where the approval message was posted (any state).
-- KEYS[1] request hash. ARGV[1] channel id, ARGV[2] message ts.
-- Reply: 1 if stored, 0 if the request does not exist (never recreates a partial hash).
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'channel', ARGV[1], 'message_ts', ARGV[2])
return 1
"""
