"""The shared Lua prelude of every transition script (see :mod:`bot.approvals.store.scripts`)."""

from __future__ import annotations

__all__ = ["script"]

_PRELUDE = """
-- Shared layout. KEYS[1] request hash, KEYS[2] approvals hash, KEYS[3] pending zset,
-- KEYS[4] leases zset, KEYS[5] interrupted zset, KEYS[6] requester zset, KEYS[7] lock hash,
-- KEYS[8] audit stream, KEYS[9] entity audit stream, KEYS[10] review-watch zset.
-- ARGV[1] request id, ARGV[2] now (epoch seconds; '' = the Redis server's TIME),
-- ARGV[3] actor user/executor id, ARGV[4] retention ms, ARGV[5] audit MAXLEN,
-- ARGV[6] entity audit MAXLEN.
local id, now, actor, retention = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
if now == '' then
  local t = redis.call('TIME')
  now = string.format('%d.%06d', tonumber(t[1]), tonumber(t[2]))
end

-- now + seconds, as the string stored in hashes and used as a sorted-set score.
local function later(seconds)
  return string.format('%.6f', tonumber(now) + tonumber(seconds))
end

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

local function unindex()
  for _, i in ipairs({3, 4, 5, 6, 10}) do redis.call('ZREM', KEYS[i], id) end
end

-- The hash is gone (retention ran out): drop what still points at it.
local function gone()
  unindex()
  release_lock()
  return {'refused', 'not_found', ''}
end

local function finalize(state, event, from, extra)
  redis.call('HSET', KEYS[1], 'state', state, 'finished_at', now)
  unindex()
  release_lock()
  redis.call('PEXPIRE', KEYS[1], retention)
  redis.call('PEXPIRE', KEYS[2], retention)
  audit(event, from, state, extra)
  return {'ok', state}
end

local function past_expiry()
  return tonumber(now) >= tonumber(field('expires_at'))
end

-- Any touch of a pending request past its expiry expires it, sweeper or not.
local function expire_if_due()
  if past_expiry() then
    finalize('expired', 'expired', 'pending')
    return true
  end
  return false
end
"""


def script(header: str, body: str) -> str:
    """A transition script: its documenting header, the prelude, then its body."""
    return header.strip() + "\n" + _PRELUDE + body
