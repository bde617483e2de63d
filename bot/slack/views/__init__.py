"""Slack-only views: the modals (forms) and the App Home tab, and the compact metadata the
modals carry in ``private_metadata``.

The shell has no forms or Home tab, so these live with the Slack surface, not in
:mod:`bot.render` (whose ``Message`` helpers and escaping they use).
"""

__all__: list[str] = []
