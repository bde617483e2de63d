"""An in-process emulator of the Statsig Console API, for the shell, tests and demos.

Usage::

    from bot.sandbox import Faults, SandboxState, create_sandbox_app

    state = SandboxState.demo()
    app = create_sandbox_app(state, faults=Faults(), api_key="console-test")
    transport = httpx.ASGITransport(app=app)

``statsig-bot sandbox --port P`` serves the same app over HTTP (see ``server.py``).
"""

from bot.sandbox.app import DEFAULT_MUTATION_LIMITS, create_sandbox_app
from bot.sandbox.faults import FAULT_KINDS, Faults, Hold, RecordedRequest
from bot.sandbox.limits import SlidingWindowLimiter
from bot.sandbox.state import Change, PendingReview, SandboxState

__all__ = [
    "DEFAULT_MUTATION_LIMITS",
    "FAULT_KINDS",
    "Change",
    "Faults",
    "Hold",
    "PendingReview",
    "RecordedRequest",
    "SandboxState",
    "SlidingWindowLimiter",
    "create_sandbox_app",
]
