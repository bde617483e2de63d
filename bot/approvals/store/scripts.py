"""The Lua scripts that are the only writers of approval state.

Each transition is one script, so a check and the write it guards happen atomically: two
replicas, a double click or a Slack retry see either the state before or the state after,
never half of it. Every script receives all keys through ``KEYS`` (never builds one).

Time: by default a script reads the Redis server's clock (``redis.call('TIME')``), so every
timestamp and every lease or expiry comparison uses one clock however far the replicas'
clocks drift apart. Only a store built with an explicit ``clock`` (tests, the offline shell)
passes its time in ``ARGV[2]``; the scripts use that instead, which keeps tests
deterministic. Redis ≥ 5 replicates script *effects*, so calling ``TIME`` before writes is
allowed (Redis 7 does nothing else).

Transition scripts share one ``KEYS`` layout (:class:`bot.approvals.store.keys.RequestKeys`)
and the first six ``ARGV`` (see :mod:`bot.approvals.store.lua`); each header lists the rest.
Replies are flat:
``{'ok', state, ...}``, ``{'refused', code, state}`` or, for create, ``{'locked', id, user}``.
Reaching a terminal state always goes through ``finalize``: indexes cleared, lock released,
retention TTL set, audit entry written.
"""

from __future__ import annotations

from bot.approvals.store.lua import script as _script
from bot.approvals.store.scripts_execution import (
    CLAIM,
    FINISH,
    FINISH_INTERRUPTED,
    RECLAIM,
    RELEASE,
    RENEW,
    RESOLVE_REVIEW,
)

__all__ = [
    "APPROVE",
    "CANCEL",
    "CLAIM",
    "CREATE",
    "EXPIRE",
    "FINISH",
    "RELEASE",
    "FINISH_INTERRUPTED",
    "INVALIDATE",
    "RECLAIM",
    "REJECT",
    "RENEW",
    "RESOLVE_REVIEW",
    "ADD_CARD",
    "MARK_RESTORED",
    "SET_REFERENCES",
    "SET_MESSAGE_REF",
]

CREATE = _script(
    """
-- create: a new pending request, unless the entity lock is held.
-- KEYS: shared layout. ARGV[1..6]: shared (ARGV[3] is the requester id).
-- ARGV[7] TTL ms for request and lock, ARGV[8] seconds until the request expires,
-- ARGV[9..] field/value pairs of the request hash (one of them is the action).
-- Reply: {'ok', 'pending'} | {'locked', holder id, holder requester, holder action}
--        | {'refused', 'exists', ''}
""",
    """
if redis.call('EXISTS', KEYS[1]) == 1 then return {'refused', 'exists', ''} end
local holder = redis.call('HGET', KEYS[7], 'request_id')
if holder then
  return {'locked', holder, redis.call('HGET', KEYS[7], 'requester_id') or '',
          redis.call('HGET', KEYS[7], 'action') or ''}
end
local fields = {}
for i = 9, #ARGV do fields[#fields + 1] = ARGV[i] end
local expires_at = later(ARGV[8])
redis.call('HSET', KEYS[1], 'id', id, 'state', 'pending', 'created_at', now,
  'expires_at', expires_at, 'requester_id', actor, unpack(fields))
redis.call('PEXPIRE', KEYS[1], ARGV[7])
redis.call('ZADD', KEYS[3], expires_at, id)
redis.call('ZADD', KEYS[6], now, id)
extend(KEYS[6], ARGV[7])
redis.call('HSET', KEYS[7], 'request_id', id, 'requester_id', actor,
  'action', field('action') or '')
redis.call('PEXPIRE', KEYS[7], ARGV[7])
audit('created', '', 'pending')
return {'ok', 'pending'}
""",
)

APPROVE = _script(
    """
-- approve: count one *person* once; at quorum the request becomes approved.
-- KEYS: shared layout. ARGV[1..6]: shared (ARGV[3] is the approver's user id).
-- ARGV[7] plan fingerprint the approver saw, ARGV[8] quorum asked by the caller (the stored
-- one is a floor), ARGV[9] '1' if policy allows self-approval, ARGV[10] the approver's person
-- key (lower-cased email when known, else the user id; '' = the user id), ARGV[11] what to
-- keep about the approver (opaque, no tabs), ARGV[12..] user ids whose earlier approvals no
-- longer count (no longer eligible under today's policy).
-- An approvals entry is user id → "at<TAB>person<TAB>identity"; two user ids of one person
-- (same email) count once, and the requester's person may not approve under another id.
-- Reply: {'ok', state, approvals, quorum} | {'refused', code, state}
""",
    """
local state = field('state')
if not state then return gone() end
if state ~= 'pending' then return refuse('wrong_state') end
if expire_if_due() then return refuse('expired') end
if field('plan_fingerprint') ~= ARGV[7] then return refuse('plan_changed') end
local person = ARGV[10]
if person == '' then person = actor end
local requester = field('requester_person') or ''
if ARGV[9] ~= '1' and (actor == field('requester_id') or person == requester) then
  return refuse('self_approval')
end
local ignored = {}
for i = 12, #ARGV do ignored[ARGV[i]] = true end
local people, count = {}, 0
local votes = redis.call('HGETALL', KEYS[2])
for i = 1, #votes, 2 do
  local who = string.match(votes[i + 1], '^[^\t]*\t([^\t]*)') or votes[i]
  if votes[i] == actor or who == person then return refuse('already_approved') end
  if not ignored[votes[i]] and not people[who] then
    people[who] = true
    count = count + 1
  end
end
redis.call('HSET', KEYS[2], actor, now .. '\t' .. person .. '\t' .. ARGV[11])
redis.call('PEXPIRE', KEYS[2], redis.call('PTTL', KEYS[1]))
count = count + 1
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
-- cancel: pending → cancelled, by the stored requester; or superseded by a responder's
-- incident action, which cancels someone else's pending one and says why.
-- KEYS: shared layout. ARGV[1..6]: shared (ARGV[3] is the cancelling user).
-- ARGV[7] '1' to supersede (any actor), ARGV[8] why (required to supersede).
-- Reply: {'ok', 'cancelled'} | {'refused', code, state}
""",
    """
local state = field('state')
if not state then return gone() end
if state ~= 'pending' then return refuse('wrong_state') end
if expire_if_due() then return refuse('expired') end
local supersede = ARGV[7] == '1'
if not supersede and actor ~= field('requester_id') then return refuse('not_requester') end
if supersede then
  if string.match(ARGV[8] or '', '^%s*$') then return refuse('reason_required') end
  redis.call('HSET', KEYS[1], 'cancelled_by', actor, 'cancelled_reason', ARGV[8])
  return finalize('cancelled', 'superseded', 'pending', {'reason', ARGV[8]})
end
return finalize('cancelled', 'cancelled', 'pending')
""",
)

EXPIRE = _script(
    """
-- expire: pending, or approved but never claimed, and past its expiry → expired (the
-- sweeper; safe to repeat). An approved request nobody ran in time must not run later.
-- KEYS: shared layout. ARGV[1..6]: shared (ARGV[3] names the sweeper).
-- Reply: {'ok', 'expired'} | {'refused', code, state}
""",
    """
local state = field('state')
if not state then return gone() end
if state == 'pending' then
  if expire_if_due() then return {'ok', 'expired'} end
  return refuse('not_due')
end
if state == 'approved' then
  if past_expiry() then return finalize('expired', 'expired', 'approved') end
  return refuse('not_due')
end
redis.call('ZREM', KEYS[3], id)
return refuse('wrong_state')
""",
)

INVALIDATE = _script(
    """
-- invalidate: the plan was edited or the entity changed; collected approvals no longer count.
-- KEYS: shared layout. ARGV[1..6]: shared (ARGV[3] names who or what noticed).
-- ARGV[7] new plan fingerprint, ARGV[8] new plan JSON (opaque), ARGV[9] why (for the card).
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
  'invalidated_at', now, 'invalidated_reason', ARGV[9])
audit('invalidated', 'pending', 'pending',
  {'cleared_approvals', tostring(cleared), 'reason', ARGV[9]})
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

ADD_CARD = """
-- add_card: remember one more message that shows the request (a kill's announcement in the
-- channel and in the incident channel), so it can be redrawn when the kill is restored.
-- KEYS[1] request hash. ARGV[1] channel id, ARGV[2] message ts.
-- Reply: 1 if stored (or already known), 0 if the request does not exist.
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local ref = ARGV[1] .. ' ' .. ARGV[2]
local cards = redis.call('HGET', KEYS[1], 'cards') or ''
for line in string.gmatch(cards, '[^\\n]+') do
  if line == ref then return 1 end
end
if cards ~= '' then cards = cards .. '\\n' end
redis.call('HSET', KEYS[1], 'cards', cards .. ref)
return 1
"""

MARK_RESTORED = """
-- mark_restored: a kill (or disable) was put back; its cards lose their Restore button.
-- KEYS[1] request hash. ARGV[1] restore request id, ARGV[2] who restored it,
-- ARGV[3] when (epoch seconds).
-- Reply: 1 if stored, 0 if the request does not exist.
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'restored_by_request', ARGV[1], 'restored_by', ARGV[2],
  'restored_at', ARGV[3])
return 1
"""

SET_REFERENCES = """
-- set_references: what else uses a killed gate, counted after the disable landed.
-- KEYS[1] request hash. ARGV[1] "gates,experiments,configs".
-- Reply: 1 if stored, 0 if the request does not exist.
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'references', ARGV[1])
return 1
"""
