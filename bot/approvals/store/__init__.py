"""Approval requests in Redis: every key name and TTL, one Lua script per transition, the
codec of Redis replies, and the Redis health checks.

The only code that knows the key layout or talks to Redis for approvals. May import
:mod:`bot.ops.model` (the values it returns).
"""

from bot.approvals.store.requests import ApprovalStore

__all__ = ["ApprovalStore"]
