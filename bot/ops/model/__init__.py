"""Values every layer shares: plans and outcomes, who acts, policy decisions, approval
requests and their states, and the human words for internal names.

The bottom of the core: it imports nothing from ``bot`` but :mod:`bot.statsig` models, so
the renderers, the approval store and the surfaces can all speak it.
"""

__all__: list[str] = []
