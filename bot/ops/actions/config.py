"""Dynamic config actions: enable and disable (a disabled config serves its default value).

Usage::

    action = ConfigDisable("checkout_params", reason="bad values")
    outcome = await action.execute(client, action.plan(await action.load(client)))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from bot.ops.actions.base import ActionBase, Current, blast_radius
from bot.ops.actions.client import ConsoleAPI
from bot.ops.actions.load import load_context
from bot.ops.model.plans import EntityKind, FieldChange, Plan
from bot.statsig.models import DynamicConfig

__all__ = ["ConfigDisable", "ConfigEnable"]


class _ConfigToggle(ActionBase[DynamicConfig]):
    """Enable or disable a config: absolute, like the gate toggles."""

    entity_kind: ClassVar[EntityKind] = "config"
    absolute = True
    target: ClassVar[bool]
    config_id: str

    @property
    def entity_id(self) -> str:
        return self.config_id

    async def load(self, client: ConsoleAPI) -> Current[DynamicConfig]:
        config = await client.get_config(self.config_id)
        return await load_context(client, config, rules=config.rules)

    def plan(self, current: Current[DynamicConfig]) -> Plan:
        config = current.entity
        word = "enable" if self.target else "disable"
        changes = []
        warnings: list[str] = []
        if config.is_enabled == self.target:
            warnings.append(f"{config.id} is already {word}d.")
        else:
            changes.append(
                FieldChange(field="isEnabled", before=config.is_enabled, after=self.target)
            )
        if not self.target:
            warnings.append("a disabled config serves its default value to everyone.")
        if current.running_pipelines:
            warnings.append(
                "a release pipeline is running on this config; it may change the rules again."
            )
        return self._plan(
            current,
            summary=f"{word} config {config.id}",
            changes=changes,
            blast_radius=blast_radius(current, rules=config.rules),
            change={"isEnabled": self.target},
            warnings=warnings,
        )

    async def _read(self, client: ConsoleAPI) -> DynamicConfig:
        return await client.get_config(self.config_id)

    async def _mutate(self, client: ConsoleAPI, plan: Plan) -> DynamicConfig:
        if self.target:
            return await client.enable_config(self.config_id)
        return await client.disable_config(self.config_id)

    def _verify(self, plan: Plan, after: DynamicConfig) -> str | None:
        if after.is_enabled == self.target:
            return None
        return f"isEnabled is still {str(after.is_enabled).lower()}"


@dataclass(frozen=True)
class ConfigEnable(_ConfigToggle):
    """``config enable <id> [reason]``."""

    config_id: str
    reason: str = ""
    action = "config.enable"
    words = "enable config"
    target = True


@dataclass(frozen=True)
class ConfigDisable(_ConfigToggle):
    """``config disable <id> [reason]``."""

    config_id: str
    reason: str = ""
    action = "config.disable"
    words = "disable config"
    target = False
