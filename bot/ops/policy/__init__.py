"""Who may do what: the policy file's schema, the decision for a request and for each of
its approvals, and the Statsig roles behind people's emails.

Decisions are values (:mod:`bot.ops.model.decisions`). May import the rest of
:mod:`bot.ops`, :mod:`bot.statsig` and :mod:`bot.config`.
"""

__all__: list[str] = []
