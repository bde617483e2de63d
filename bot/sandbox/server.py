"""``statsig-bot sandbox``: serve the Console API emulator over real HTTP with uvicorn."""

from __future__ import annotations

import uvicorn

from bot.sandbox.app import create_sandbox_app
from bot.sandbox.demo import demo_state
from bot.sandbox.state import SandboxState

__all__ = ["run"]


def run(host: str, port: int, demo: bool, api_key: str | None = None) -> int:
    """Serve until interrupted; returns the process exit code.

    Without ``api_key`` the sandbox accepts any ``STATSIG-API-KEY``: it holds no real data
    and is meant for loopback use (point the bot at it with
    ``STATSIG_API_URL=http://HOST:PORT``). With one, every other key gets a 401, as from
    Statsig, so a misconfigured key shows up before it meets the real API.
    """
    state = demo_state() if demo else SandboxState.empty()
    app = create_sandbox_app(state, api_key=api_key or None)
    contents = "demo data" if demo else "no data"
    keys = "requires the configured API key" if api_key else "accepts any API key"
    print(
        f"Statsig Console API sandbox ({contents}, {keys}) listening on http://{host}:{port}",
        flush=True,
    )
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
    return 0
