"""``statsig-bot sandbox``: serve the Console API emulator over real HTTP with uvicorn."""

from __future__ import annotations

import uvicorn

from bot.sandbox.app import create_sandbox_app
from bot.sandbox.state import SandboxState

__all__ = ["run"]


def run(host: str, port: int, demo: bool) -> int:
    """Serve until interrupted; returns the process exit code.

    The sandbox accepts any ``STATSIG-API-KEY``: it holds no real data and is meant for
    loopback use (point the bot at it with ``STATSIG_API_URL=http://HOST:PORT``).
    """
    state = SandboxState.demo() if demo else SandboxState.empty()
    app = create_sandbox_app(state)
    contents = "demo data" if demo else "no data"
    print(f"Statsig Console API sandbox ({contents}) listening on http://{host}:{port}", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
    return 0
