"""What the sandbox serves parses into the bot's own models (``bot/statsig/models.py``)."""

from __future__ import annotations

import httpx

from bot.statsig.models import (
    AuditLogEntry,
    DynamicConfig,
    EnvironmentList,
    Experiment,
    Gate,
    GateOverrides,
    IdList,
    Page,
    ReleasePipelineTrigger,
    ReviewsSettings,
    Segment,
    Team,
    User,
)


async def test_every_listing_parses(client: httpx.AsyncClient) -> None:
    await client.put("/console/v1/gates/checkout_v2/disable")
    listings = [
        ("/console/v1/gates", Gate),
        ("/console/v1/dynamic_configs", DynamicConfig),
        ("/console/v1/experiments", Experiment),
        ("/console/v1/segments", Segment),
        ("/console/v1/audit_logs", AuditLogEntry),
        ("/console/v1/users", User),
        ("/console/v1/users/teams", Team),
        ("/console/v1/release_pipeline_triggers", ReleasePipelineTrigger),
    ]
    for path, model in listings:
        page = Page[model].model_validate((await client.get(path)).json())  # type: ignore[valid-type]
        assert page.data and page.pagination is not None, path


async def test_single_objects_parse(client: httpx.AsyncClient) -> None:
    async def data(path: str) -> object:
        return (await client.get(path)).json()["data"]

    gate = Gate.model_validate(await data("/console/v1/gates/new_nav"))
    assert 0 < gate.rules[0].pass_percentage < 100 and gate.rules[0].base_id
    overrides = GateOverrides.model_validate(await data("/console/v1/gates/checkout_v2/overrides"))
    assert overrides.count == 2
    ids = IdList.model_validate(await data("/console/v1/segments/beta_users/id_list"))
    assert ids.count == 25
    envs = EnvironmentList.model_validate(await data("/console/v1/environments"))
    assert len(envs.environments) == 3
    settings = ReviewsSettings.model_validate(await data("/console/v1/settings/reviews"))
    assert settings.is_config_review_required is False
    pricing = Experiment.model_validate(await data("/console/v1/experiments/pricing_test"))
    assert pricing.status == "active" and len(pricing.groups) == 3
