"""The terminal surface: a REPL that shows the same Block Kit messages as Slack.

Drives :class:`~bot.chatops.service.ChatOps` like the Slack surface does; never imports
:mod:`bot.slack`.
"""

__all__: list[str] = []
