"""The Slack surface: the Bolt app over HTTP and Socket Mode, listeners, views, delivery.

Listeners only ack, parse, call :class:`~bot.chatops.service.ChatOps` and deliver what it
renders. Never imported by anything but :mod:`bot.cli`; never imports :mod:`bot.shell`.
Import from the submodules (``bot.slack.app`` …); the package itself exports nothing, so
importing it does not pull in Bolt.
"""

__all__: list[str] = []
