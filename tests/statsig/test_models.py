"""Models parse every example Statsig publishes for the DTOs they cover, and stay lenient."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from bot.statsig import models as m
from tests.statsig.spec_examples import DOCUMENTS, Example, response_examples

MODEL_FOR_DTO: dict[str, type[BaseModel]] = {
    "ExternalGateDto": m.Gate,
    "RuleDto": m.Rule,
    "DynamicConfigDto": m.DynamicConfig,
    "ExternalExperimentDto": m.Experiment,
    "SegmentDto": m.Segment,
    "AuditLogDto": m.AuditLogEntry,
    "OverrideDto": m.GateOverrides,
    "ExperimentOverridesDto": m.ExperimentOverrides,
    "EnvironmentsContractDto": m.EnvironmentList,
    "TeamDto": m.Team,
    "UserContractDto": m.User,
    "TagDto": m.Tag,
    "SettingsReviewsContractDto": m.ReviewsSettings,
    "ReleasePipelineTriggerResponseDto": m.ReleasePipelineTrigger,
    "IDListDto": m.IdList,
}

# Examples the document itself gets wrong, with the reason.
KNOWN_BAD = {
    # Its example lists metric definitions, not the experiments its schema promises.
    ("get", "/console/v1/metrics/{id}/experiments"),
}


def _items(example: Example) -> list[Any]:
    value = example.value
    data = value["data"] if isinstance(value, dict) and "data" in value else value
    return list(data) if isinstance(data, list) else [data]


def _is_message_only(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"message"}


@pytest.fixture(params=DOCUMENTS)
def document(request: pytest.FixtureRequest, openapi_spec_path: Path) -> Path:
    return openapi_spec_path.parent / str(request.param)


def test_every_success_example_parses(document: Path) -> None:
    parsed: dict[str, int] = {}
    failures: list[str] = []
    for example in response_examples(document):
        if not example.status.startswith("2") or example.dto not in MODEL_FOR_DTO:
            continue
        if (example.method, example.path) in KNOWN_BAD:
            continue
        if _is_message_only(example.value):
            m.MessageResponse.model_validate(example.value)
            continue
        if isinstance(example.value, dict) and "pagination" in example.value:
            m.Pagination.model_validate(example.value["pagination"])
        model = MODEL_FOR_DTO[example.dto]
        for item in _items(example):
            try:
                model.model_validate(item)
            except ValueError as exc:
                failures.append(f"{example.where}: {exc}")
            parsed[example.dto] = parsed.get(example.dto, 0) + 1
    assert not failures, "\n".join(failures)
    # Every DTO the models cover and the document answers with was exercised.
    assert {"ExternalGateDto", "DynamicConfigDto", "ExternalExperimentDto", "SegmentDto"} <= set(
        parsed
    )
    assert sum(parsed.values()) > 100


def test_every_envelope_parses(document: Path) -> None:
    count = 0
    for example in response_examples(document):
        value = example.value
        if not example.status.startswith("2") or example.dto not in MODEL_FOR_DTO:
            continue
        if not isinstance(value, dict) or "data" not in value:
            continue
        if (example.method, example.path) in KNOWN_BAD:
            continue
        model = MODEL_FOR_DTO[example.dto]
        if isinstance(value["data"], list):
            page = m.Page[model].model_validate(value)  # type: ignore[valid-type]
            assert len(page.data) == len(value["data"])
        else:
            single = m.SingleResponse[model].model_validate(value)  # type: ignore[valid-type]
            assert isinstance(single.data, model)
        count += 1
    assert count > 50


def test_every_error_example_parses(document: Path) -> None:
    count = 0
    for example in response_examples(document):
        if example.status.startswith("2"):
            continue
        body = m.ErrorBody.model_validate(example.value)
        assert body.message, example.where
        count += 1
    assert count > 100


def test_unknown_fields_survive_a_round_trip() -> None:
    raw = {
        "id": "g",
        "isEnabled": True,
        "status": "Launched",
        "brandNewField": {"nested": [1, 2]},
        "rules": [
            {
                "name": "r",
                "passPercentage": 10,
                "conditions": [{"type": "user_agent", "operator": "str_matches", "extra": 1}],
                "ruleExtra": "kept",
            }
        ],
    }
    api = m.Gate.model_validate(raw).to_api()
    assert api["brandNewField"] == {"nested": [1, 2]}
    assert api["rules"][0]["ruleExtra"] == "kept"
    assert api["rules"][0]["conditions"][0]["extra"] == 1


def test_unknown_enum_values_parse_and_known_ones_are_typed() -> None:
    gate = m.Gate.model_validate({"id": "g", "isEnabled": True, "status": "Sunsetting"})
    assert gate.status == "Sunsetting"
    known = m.Gate.model_validate({"id": "g", "isEnabled": True, "status": "Launched"})
    assert known.status is m.GateStatus.LAUNCHED
    experiment = m.Experiment.model_validate({"id": "e", "status": "paused_by_ai"})
    assert experiment.status == "paused_by_ai"
    segment = m.Segment.model_validate({"id": "s", "type": "warehouse_list"})
    assert segment.type == "warehouse_list"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("web", ["web"]), (["web", "ios"], ["web", "ios"]), (None, []), ("", [])],
)
def test_target_apps_is_always_a_list(value: Any, expected: list[str]) -> None:
    gate = m.Gate.model_validate({"id": "g", "isEnabled": True, "targetApps": value})
    assert gate.target_apps == expected


def test_epoch_milliseconds_become_aware_datetimes_and_back() -> None:
    raw = {"id": "g", "isEnabled": True, "lastModifiedTime": 1704929983827}
    gate = m.Gate.model_validate(raw)
    assert gate.last_modified_time == datetime(2024, 1, 10, 23, 39, 43, 827000, tzinfo=UTC)
    assert gate.last_modified_time is not None and gate.last_modified_time.tzinfo is not None
    assert gate.to_api()["lastModifiedTime"] == 1704929983827
    assert m.epoch_ms(gate.last_modified_time) == 1704929983827


def test_segment_rules_given_as_one_object_become_a_list() -> None:
    rule = {"name": "All", "passPercentage": 10, "conditions": [{"type": "public"}]}
    segment = m.Segment.model_validate({"id": "s", "type": "rule_based", "rules": rule})
    assert [r.name for r in segment.rules] == ["All"]


def test_gate_references_count() -> None:
    refs = m.GateReferences(
        gates=[m.Gate(id="a", is_enabled=True)],
        experiments=[m.Experiment(id="e", status="active")],
    )
    assert refs.count == 2
