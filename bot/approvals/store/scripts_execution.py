"""The execution-phase transition scripts: claim, renew, finish, reclaim, verdicts, reviews.

Split from :mod:`bot.approvals.store.scripts` (which re-exports them) only for size; they share
its ``KEYS``/``ARGV`` layout and prelude (:mod:`bot.approvals.store.lua`).
"""

from __future__ import annotations

from bot.approvals.store.lua import script as _script

__all__ = [
    "CLAIM",
    "FINISH",
    "FINISH_INTERRUPTED",
    "RECLAIM",
    "RELEASE",
    "RENEW",
    "RESOLVE_REVIEW",
]

CLAIM = _script(
    """
-- claim: approved → executing under a lease; exactly one caller wins. An approved request
-- past its expiry is expired instead (refused as 'expired'). While a change freeze is on
-- (its key holds a value whose until_s, if any, is still ahead; an unreadable value counts
-- as on) a request that respects it stays approved (refused as 'frozen'): the check and
-- the claim are one step, so a freeze switched on between a caller's own check and its
-- claim still holds the change back.
-- KEYS: shared layout, then KEYS[11] the freeze key. ARGV[1..6]: shared (ARGV[3] is the
-- executor id). ARGV[7] lease length in seconds (the lease ends at now + ARGV[7], on the
-- script's clock). ARGV[8] '1' when the freeze holds this request back, else '0'.
-- Reply: {'ok', 'executing'} | {'refused', code, state}
""",
    """
local state = field('state')
if not state then return gone() end
if state ~= 'approved' then return refuse('wrong_state') end
if past_expiry() then
  finalize('expired', 'expired', 'approved')
  return refuse('expired')
end
if ARGV[8] == '1' then
  local raw = redis.call('GET', KEYS[11])
  if raw then
    local readable, freeze = pcall(cjson.decode, raw)
    local till = readable and type(freeze) == 'table' and freeze['until_s'] or nil
    if type(till) ~= 'number' or tonumber(now) < till then return refuse('frozen') end
  end
end
local lease_end = later(ARGV[7])
redis.call('HSET', KEYS[1], 'state', 'executing', 'executor', actor, 'claimed_at', now,
  'lease_expires_at', lease_end)
redis.call('ZADD', KEYS[4], lease_end, id)
audit('claimed', 'approved', 'executing', {'lease_expires_at', lease_end})
return {'ok', 'executing'}
""",
)

RENEW = _script(
    """
-- renew: the lease holder extends its lease right before calling Statsig, iff the request
-- is executing, it still holds the lease, nobody reclaimed it, and the lease has not run out.
-- KEYS: shared layout. ARGV[1..6]: shared (ARGV[3] is the executor id).
-- ARGV[7] new lease length in seconds from now.
-- Reply: {'ok', 'executing'} | {'refused', code, state}
""",
    """
local state = field('state')
if not state then return gone() end
if state ~= 'executing' then return refuse('wrong_state') end
if redis.call('HEXISTS', KEYS[1], 'interrupted_at') == 1 then return refuse('interrupted') end
if field('executor') ~= actor then return refuse('not_lease_holder') end
if tonumber(now) >= tonumber(field('lease_expires_at')) then return refuse('lease_expired') end
local lease_end = later(ARGV[7])
redis.call('HSET', KEYS[1], 'lease_expires_at', lease_end)
redis.call('ZADD', KEYS[4], lease_end, id)
audit('lease_renewed', 'executing', 'executing', {'lease_expires_at', lease_end})
return {'ok', 'executing'}
""",
)

FINISH = _script(
    """
-- finish: executing → executed | failed | submitted_for_review, by the lease holder only.
-- submitted_for_review keeps the entity lock (Statsig's review is still open) and schedules
-- the review watcher's first poll; the other two are terminal.
-- KEYS: shared layout. ARGV[1..6]: shared (ARGV[3] is the executor id).
-- ARGV[7] final state, ARGV[8] outcome JSON (opaque), ARGV[9] seconds until the first poll.
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
if target == 'submitted_for_review' then
  redis.call('HSET', KEYS[1], 'state', target, 'review_since', now)
  redis.call('ZREM', KEYS[4], id)
  redis.call('ZADD', KEYS[10], later(ARGV[9]), id)
  audit('finished', 'executing', target, {'outcome', ARGV[8]})
  return {'ok', target}
end
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

RELEASE = _script(
    """
-- release: a stopping executor ends its lease now (instead of when it would run out), so
-- the next sweep of any replica reclaims the request and verifies it in Statsig at once.
-- KEYS: shared layout. ARGV[1..6]: shared (ARGV[3] is the executor id).
-- Reply: {'ok', 'executing'} | {'refused', code, state}
""",
    """
local state = field('state')
if not state then return gone() end
if state ~= 'executing' then return refuse('wrong_state') end
if field('executor') ~= actor then return refuse('not_lease_holder') end
redis.call('HSET', KEYS[1], 'lease_expires_at', now)
redis.call('ZADD', KEYS[4], now, id)
audit('lease_released', 'executing', 'executing', {})
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

RESOLVE_REVIEW = _script(
    """
-- resolve_review: the Statsig review a request became is over (or the watcher gave up):
-- submitted_for_review → executed (committed) | review_rejected | review_unresolved.
-- Terminal: releases the entity lock and stops the watch.
-- KEYS: shared layout. ARGV[1..6]: shared (ARGV[3] names the watcher).
-- ARGV[7] final state, ARGV[8] outcome JSON (opaque).
-- Reply: {'ok', state} | {'refused', code, state}
""",
    """
local state = field('state')
if not state then return gone() end
if state ~= 'submitted_for_review' then
  redis.call('ZREM', KEYS[10], id)
  return refuse('wrong_state')
end
local events = {executed = 'review_committed', review_rejected = 'review_rejected',
  review_unresolved = 'review_unresolved'}
local event = events[ARGV[7]]
if not event then return refuse('invalid_state') end
redis.call('HSET', KEYS[1], 'outcome', ARGV[8])
return finalize(ARGV[7], event, 'submitted_for_review', {'outcome', ARGV[8]})
""",
)
