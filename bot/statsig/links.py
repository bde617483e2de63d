"""Links into the Statsig console for the entities the bot shows.

With a project ID the link is the console's canonical address,
``https://console.statsig.com/{project}/gates/{id}``. Without one we link to the same path
without the project segment (``https://console.statsig.com/gates/{id}``): the console sends
a signed-in user to their current project, so the link still lands on the entity for anyone
with a single project. That redirect is observed behaviour, not a documented contract, so
deployments should set the project ID when they can.

Every path segment is percent-encoded, so an ID can never end a Slack ``<url|label>`` link
early or smuggle in a second URL.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import quote

__all__ = ["CONSOLE_BASE", "EntityKind", "console_home", "console_url"]

CONSOLE_BASE = "https://console.statsig.com"

EntityKind = Literal["gate", "config", "experiment", "segment"]

_PATHS: dict[str, str] = {
    "gate": "gates",
    "config": "dynamic_configs",
    "experiment": "experiments",
    "segment": "segments",
}


def _segment(value: str) -> str:
    return quote(value, safe="")


def console_home(project_id: str | None = None) -> str:
    """The console's start page, or the project's when the ID is known."""
    if project_id:
        return f"{CONSOLE_BASE}/{_segment(project_id)}"
    return f"{CONSOLE_BASE}/"


def console_url(kind: EntityKind, entity_id: str, project_id: str | None = None) -> str:
    """The console page of one entity.

    >>> console_url("gate", "checkout_v2", "5fGx")
    'https://console.statsig.com/5fGx/gates/checkout_v2'
    >>> console_url("config", "a b")
    'https://console.statsig.com/dynamic_configs/a%20b'
    """
    path = f"{_PATHS[kind]}/{_segment(entity_id)}"
    if project_id:
        return f"{CONSOLE_BASE}/{_segment(project_id)}/{path}"
    return f"{CONSOLE_BASE}/{path}"
