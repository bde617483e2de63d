"""The one exception the approval workflow lets reach its callers.

Transitions answer with messages and never raise, but a *listing* that silently came back
empty while Redis was down would read as "nothing is pending" — a lie at exactly the
moment people look. So the read methods (``pending``, ``mine``, ``audit_entries``) raise
:class:`ApprovalsUnavailable` instead, and each surface says that approvals cannot be read.
"""

from __future__ import annotations

__all__ = ["ApprovalsUnavailable"]


class ApprovalsUnavailable(Exception):
    """Redis could not be reached, so the approval requests or the audit trail are unknown."""

    def __init__(self, what: str) -> None:
        super().__init__(f"Redis cannot be reached while reading {what}")
        self.what = what
