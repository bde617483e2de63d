"""The application service: the one door every surface (Slack, the shell) goes through.

:class:`~bot.chatops.service.ChatOps` turns command text, clicks and form choices into
replies and proposals: reads, plans with the policy's decision, commits through the approval
workflow, approvals and their listings. May import :mod:`bot.approvals`, :mod:`bot.render`,
:mod:`bot.ops` and :mod:`bot.statsig`; never a surface.
"""

__all__: list[str] = []
