"""The core: command language, plans, policy and ``ChatOps``; knows nothing about Slack.

Import from the submodules (``bot.ops.service``, ``bot.ops.policy`` …); the package itself
exports nothing, so importing it stays cheap.
"""

__all__: list[str] = []
