"""Experiment endpoints (``/console/v1/experiments``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from bot.statsig._base import ClientBase, path_id
from bot.statsig.models import Experiment, ExperimentOverrides, Page
from bot.statsig.paging import iterate_pages

__all__ = ["ExperimentsMixin"]


class ExperimentsMixin(ClientBase):
    """Read experiments and move them through their lifecycle."""

    async def list_experiments(
        self,
        *,
        status: str | list[str] | None = None,
        tags: list[str] | str | None = None,
        page: int = 1,
        limit: int = 100,
    ) -> Page[Experiment]:
        params = {"status": status, "tags": tags}
        return await self._get_page(
            "/experiments", Experiment, page=page, limit=limit, params=params
        )

    def iter_experiments(self, *, limit: int = 100, **filters: Any) -> AsyncIterator[Experiment]:
        return iterate_pages(
            lambda page, size: self.list_experiments(page=page, limit=size, **filters),
            limit=limit,
        )

    async def get_experiment(self, id: str) -> Experiment:
        return await self._get_one(
            f"/experiments/{path_id(id)}", Experiment, entity=("experiment", id)
        )

    async def start_experiment(self, id: str) -> str:
        """Start it; returns Statsig's message. The document requires a (possibly empty) body."""
        return await self._action("PUT", id, "start", {})

    async def abandon_experiment(self, id: str, *, reason: str) -> str:
        return await self._action("PUT", id, "abandon", {"decisionReason": reason})

    async def make_decision(
        self, id: str, *, group_id: str, reason: str, remove_targeting: bool = False
    ) -> str:
        """Ship ``group_id`` (Statsig's "make decision"); returns Statsig's message."""
        body = {"id": group_id, "decisionReason": reason, "removeTargeting": remove_targeting}
        return await self._action("PUT", id, "make_decision", body)

    async def enable_groups(self, id: str, names: list[str]) -> Experiment:
        return await self._groups(id, "enable_groups", names)

    async def disable_groups(self, id: str, names: list[str]) -> Experiment:
        return await self._groups(id, "disable_groups", names)

    async def get_experiment_overrides(self, id: str) -> ExperimentOverrides:
        return await self._get_one(
            f"/experiments/{path_id(id)}/overrides",
            ExperimentOverrides,
            entity=("experiment", id),
        )

    async def update_experiment_overrides(
        self, id: str, overrides: ExperimentOverrides | dict[str, Any]
    ) -> ExperimentOverrides:
        """Replace the experiment's overrides (``POST``)."""
        body = overrides.to_api() if isinstance(overrides, ExperimentOverrides) else overrides
        return await self._send_one(
            "POST",
            f"/experiments/{path_id(id)}/overrides",
            ExperimentOverrides,
            body=body,
            entity=("experiment", id),
        )

    async def _action(self, method: str, id: str, action: str, body: Any) -> str:
        return await self._send_message(
            method,
            f"/experiments/{path_id(id)}/{action}",
            body=body,
            entity=("experiment", id),
        )

    async def _groups(self, id: str, action: str, names: list[str]) -> Experiment:
        return await self._send_one(
            "POST",
            f"/experiments/{path_id(id)}/{action}",
            Experiment,
            body={"group_names": list(names)},
            entity=("experiment", id),
        )
