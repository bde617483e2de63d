"""Feature gate endpoints (``/console/v1/gates``)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from typing import Any, TypeVar

from bot.statsig._base import ClientBase, M, parse, path_id
from bot.statsig.models import (
    DynamicConfig,
    Experiment,
    Gate,
    GateOverrides,
    GateReferences,
    Page,
    Rule,
)
from bot.statsig.paging import iterate_pages

__all__ = ["GatesMixin", "rules_from"]

T = TypeVar("T")
ID_LISTS = ("passingUserIDs", "failingUserIDs", "passingCustomIDs", "failingCustomIDs")


def rules_from(data: Any) -> list[Rule]:
    """Rules from ``GET …/rules``: the document says a page of ``{rules}``, examples say one."""
    if isinstance(data, dict):
        data = data.get("rules", [])
    rules: list[Rule] = []
    for item in data if isinstance(data, list) else []:
        if isinstance(item, dict) and "rules" in item and "passPercentage" not in item:
            rules.extend(parse(Rule, rule) for rule in item["rules"] or [])
        else:
            rules.append(parse(Rule, item))
    return rules


def _overrides_body(overrides: GateOverrides | dict[str, Any]) -> dict[str, Any]:
    """The document accepts either per-environment overrides or the four ID lists.

    From a model we send the four lists (all of them: the document requires both user
    lists) and ``environmentOverrides`` only when there are some. A dict goes out as is.
    """
    if not isinstance(overrides, GateOverrides):
        return dict(overrides)
    body = overrides.model_dump(mode="json", by_alias=True)
    environments = body.pop("environmentOverrides", [])
    id_lists = {k: body[k] for k in ID_LISTS}
    if environments and not any(id_lists.values()):
        return {"environmentOverrides": environments}
    return {**id_lists, "environmentOverrides": environments} if environments else id_lists


async def _collect(iterator: AsyncIterator[T]) -> list[T]:
    return [item async for item in iterator]


class GatesMixin(ClientBase):
    """Read, toggle, edit and inspect feature gates."""

    async def list_gates(
        self,
        *,
        page: int = 1,
        limit: int = 100,
        tags: list[str] | str | None = None,
        type: str | None = None,
        creator_id: str | None = None,
        id_type: str | None = None,
        pass_rate: str | None = None,
        rollout_rate: str | None = None,
        release_pipeline_id: str | None = None,
    ) -> Page[Gate]:
        params = {
            "tags": tags,
            "type": type,
            "creatorID": creator_id,
            "idType": id_type,
            "passRate": pass_rate,
            "rolloutRate": rollout_rate,
            "releasePipelineID": release_pipeline_id,
        }
        return await self._get_page("/gates", Gate, page=page, limit=limit, params=params)

    def iter_gates(self, *, limit: int = 100, **filters: Any) -> AsyncIterator[Gate]:
        """Every gate matching ``filters`` (the keyword arguments of :meth:`list_gates`)."""
        return iterate_pages(
            lambda page, size: self.list_gates(page=page, limit=size, **filters), limit=limit
        )

    async def get_gate(self, id: str) -> Gate:
        return await self._get_one(f"/gates/{path_id(id)}", Gate, entity=("gate", id))

    async def enable_gate(self, id: str, *, priority: bool = False) -> Gate:
        return await self._gate_put(id, "enable", priority=priority)

    async def disable_gate(self, id: str, *, priority: bool = False) -> Gate:
        return await self._gate_put(id, "disable", priority=priority)

    async def launch_gate(self, id: str) -> Gate:
        return await self._gate_put(id, "launch")

    async def archive_gate(
        self, id: str, *, reason: str | None = None, force: bool = False
    ) -> Gate:
        body: dict[str, Any] = {"forceArchive": force}
        if reason:
            body["archiveReason"] = reason
        return await self._gate_put(id, "archive", body=body)

    async def unarchive_gate(self, id: str, *, reason: str | None = None) -> Gate:
        return await self._gate_put(id, "unarchive", body={"unarchiveReason": reason or ""})

    async def update_gate(self, id: str, patch: dict[str, Any]) -> Gate:
        """Partial update (``PATCH``): only the fields in ``patch`` change."""
        return await self._send_one(
            "PATCH", f"/gates/{path_id(id)}", Gate, body=patch, entity=("gate", id)
        )

    async def get_gate_rules(self, id: str) -> list[Rule]:
        body = await self._get(f"/gates/{path_id(id)}/rules", entity=("gate", id))
        return rules_from(body.get("data", []) if isinstance(body, dict) else [])

    async def update_gate_rule(self, id: str, rule_id: str, patch: dict[str, Any]) -> Gate:
        path = f"/gates/{path_id(id)}/rules/{path_id(rule_id)}"
        return await self._send_one("PATCH", path, Gate, body=patch, entity=("gate rule", rule_id))

    async def get_gate_overrides(self, id: str) -> GateOverrides:
        return await self._get_one(
            f"/gates/{path_id(id)}/overrides", GateOverrides, entity=("gate", id)
        )

    async def add_gate_overrides(
        self, id: str, overrides: GateOverrides | dict[str, Any]
    ) -> GateOverrides:
        return await self._overrides("PATCH", id, _overrides_body(overrides))

    async def replace_gate_overrides(
        self, id: str, overrides: GateOverrides | dict[str, Any]
    ) -> GateOverrides:
        return await self._overrides("POST", id, _overrides_body(overrides))

    async def delete_gate_overrides(self, id: str) -> GateOverrides:
        return await self._overrides("DELETE", id, None)

    async def list_gate_versions(self, id: str, *, page: int = 1, limit: int = 20) -> Page[Gate]:
        return await self._get_page(
            f"/gates/{path_id(id)}/versions", Gate, page=page, limit=limit, entity=("gate", id)
        )

    async def list_gate_references(self, id: str) -> GateReferences:
        """Gates, experiments and dynamic configs whose targeting uses this gate."""
        base = f"/gates/{path_id(id)}"
        gates, experiments, configs = await asyncio.gather(
            _collect(self._walk(f"{base}/gate_references", Gate, id)),
            _collect(self._walk(f"{base}/experiment_references", Experiment, id)),
            _collect(self._walk(f"{base}/dynamic_config_references", DynamicConfig, id)),
        )
        return GateReferences(gates=gates, experiments=experiments, configs=configs)

    def _walk(self, path: str, model: type[M], gate_id: str) -> AsyncIterator[M]:
        def fetch(page: int, size: int) -> Awaitable[Page[M]]:
            return self._get_page(path, model, page=page, limit=size, entity=("gate", gate_id))

        return iterate_pages(fetch)

    async def _gate_put(
        self, id: str, action: str, *, body: Any = None, priority: bool = False
    ) -> Gate:
        # These PUTs set a state rather than change it relative to the old one: safe to resend.
        return await self._send_one(
            "PUT",
            f"/gates/{path_id(id)}/{action}",
            Gate,
            body=body,
            entity=("gate", id),
            idempotent=True,
            priority=priority,
        )

    async def _overrides(self, method: str, id: str, body: Any) -> GateOverrides:
        return await self._send_one(
            method,
            f"/gates/{path_id(id)}/overrides",
            GateOverrides,
            body=body,
            entity=("gate", id),
        )
