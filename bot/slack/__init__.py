"""The Slack surface: the Bolt app, listeners, Block Kit rendering and delivery.

Import from the submodules (``bot.slack.app``, ``bot.slack.blocks`` …); the package itself
exports nothing, so importing it does not pull in Bolt.
"""

__all__: list[str] = []
