"""An in-process emulator of the Statsig Console API, for the shell, tests and demos.

A leaf beside :mod:`bot.statsig`: it imports nothing else from ``bot`` (it speaks Statsig's
own JSON, so it cannot share our models by accident).

Usage::

    from bot.sandbox import Faults, create_sandbox_app, demo_state

    state = demo_state()
    app = create_sandbox_app(state, faults=Faults(), api_key="console-test")
    transport = httpx.ASGITransport(app=app)

``statsig-bot sandbox --port P [--api-key KEY]`` serves the same app over HTTP (see
``server.py``).

Where the sandbox knowingly differs from the OpenAPI document
(``../shared/statsig/console-api-subset.json``), and why:

* ``GET /gates/{id}/overrides`` answers **200**; the document declares 201 for the whole
  path (a read that "creates" nothing). Writes to it answer 201 as declared.
* ``GET /gates/{id}/rules`` is declared as a paginated list of ``GateRulesDto``, but the
  document's own example (and what a client sees) is one object,
  ``{"message", "data": {"rules": [...]}}``; the sandbox answers that shape. (The config
  equivalent is declared and exampled consistently, as a list of one ``{rules}`` object.)
* ``GET /segments/{id}/id_list`` is declared paginated, yet ``data`` is one ``IDListDto``:
  the page of IDs is ``data.ids`` and the total ``data.count``, with a ``pagination``
  object beside it, as in the document's example.
* Any ``STATSIG-API-KEY`` is accepted unless an API key is configured
  (``create_sandbox_app(api_key=...)``, ``statsig-bot sandbox --api-key KEY``); then any
  other key gets Statsig's 401 body.
* ``limit`` on list endpoints is capped: at 100 where the document declares that maximum
  (gate references, release pipeline triggers), elsewhere at :data:`MAX_PAGE_LIMIT`
  (1000), where the document declares none. A bigger one gets a 400 with Statsig's
  invalid-input message.
* Review semantics (what a mutation does when the entity requires review) are partly
  inferred; ``reviews.py`` says which parts are documented.
"""

from bot.sandbox.app import DEFAULT_MUTATION_LIMITS, create_sandbox_app
from bot.sandbox.demo import demo_state
from bot.sandbox.faults import FAULT_KINDS, Faults, Hold, RecordedRequest
from bot.sandbox.limits import SlidingWindowLimiter
from bot.sandbox.responses import MAX_PAGE_LIMIT
from bot.sandbox.state import Change, PendingReview, SandboxState

__all__ = [
    "DEFAULT_MUTATION_LIMITS",
    "FAULT_KINDS",
    "MAX_PAGE_LIMIT",
    "Change",
    "Faults",
    "Hold",
    "PendingReview",
    "RecordedRequest",
    "SandboxState",
    "SlidingWindowLimiter",
    "create_sandbox_app",
    "demo_state",
]
