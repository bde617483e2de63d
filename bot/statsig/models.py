"""Typed views of the Statsig Console API entities the bot reads and renders.

Field names are snake_case in Python and keep Statsig's camelCase spelling on the wire
(``gate.is_enabled`` <-> ``"isEnabled"``). The models are deliberately forgiving, because
Statsig's live API is already newer than the published document:

* unknown fields are kept (``extra="allow"``) and survive a round trip;
* enumerations are typed ``KnownEnum | str`` (known values become members, tried first), so a
  value Statsig adds tomorrow still parses;
* ``targetApps`` may be a string or a list and is always a list here;
* epoch-millisecond timestamps become timezone-aware ``datetime`` objects and are written
  back as epoch milliseconds in JSON mode.

Usage::

    gate = Gate.model_validate(response_json["data"])
    gate.is_enabled, gate.rules[0].pass_percentage
    gate.to_api()  # the JSON-ready dict in Statsig's spelling
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Generic, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
)
from pydantic.alias_generators import to_camel

__all__ = [
    "ActiveReview",
    "AllowedReviewer",
    "AuditLogEntry",
    "AutomatedRollout",
    "Condition",
    "DynamicConfig",
    "DynamicConfigStatus",
    "EnvironmentOverride",
    "Environment",
    "EnvironmentList",
    "ErrorBody",
    "Experiment",
    "ExperimentGroup",
    "ExperimentIdOverride",
    "ExperimentMetric",
    "ExperimentOverrides",
    "ExperimentSegmentOverride",
    "ExperimentStatus",
    "Gate",
    "GateOverrides",
    "GateReferences",
    "GateStatus",
    "GateType",
    "IdList",
    "MessageResponse",
    "Owner",
    "Page",
    "Pagination",
    "ReleasePipelineTrigger",
    "ReviewSettings",
    "ReviewsSettings",
    "Rule",
    "Segment",
    "SegmentType",
    "SingleResponse",
    "StatsigModel",
    "Tag",
    "Team",
    "User",
    "epoch_ms",
]


def _to_datetime(value: Any) -> Any:
    """Accept epoch milliseconds (int, float or numeric string) and ISO strings."""
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, bool):
        raise ValueError("a boolean is not a timestamp")
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    if isinstance(value, str):
        stripped = value.strip()
        try:
            return datetime.fromtimestamp(float(stripped) / 1000, tz=UTC)
        except ValueError:
            parsed = datetime.fromisoformat(stripped.replace("Z", "+00:00"))
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise ValueError(f"cannot read {type(value).__name__} as a timestamp")


def epoch_ms(value: datetime) -> int:
    """Statsig's wire format for a timestamp."""
    return int(round(value.timestamp() * 1000))


EpochMs = Annotated[
    datetime,
    BeforeValidator(_to_datetime),
    PlainSerializer(epoch_ms, return_type=int, when_used="json"),
]
"""An aware datetime read from, and written back as, epoch milliseconds."""


def _to_list_of_str(value: Any) -> Any:
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    return value


StrList = Annotated[list[str], BeforeValidator(_to_list_of_str)]
"""``string | string[] | null`` normalised to a list (Statsig's ``targetApps``)."""


def _none_to_list(value: Any) -> Any:
    return [] if value is None else value


def _to_list(value: Any) -> Any:
    """``null`` -> ``[]`` and a lone object -> ``[object]`` (spec examples show both)."""
    if value is None:
        return []
    if isinstance(value, dict):
        return [value]
    return value


class StatsigModel(BaseModel):
    """Base for every Console API model: camelCase aliases, unknown fields kept."""

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
        alias_generator=to_camel,
        use_enum_values=False,
    )

    def to_api(self) -> dict[str, Any]:
        """The JSON-ready dict in Statsig's own spelling, unknown fields included."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)


class GateStatus(StrEnum):
    IN_PROGRESS = "In Progress"
    LAUNCHED = "Launched"
    DISABLED = "Disabled"
    ARCHIVED = "Archived"


class GateType(StrEnum):
    TEMPORARY = "TEMPORARY"
    PERMANENT = "PERMANENT"
    STALE = "STALE"
    TEMPLATE = "TEMPLATE"


class DynamicConfigStatus(StrEnum):
    ENABLED = "Enabled"
    DISABLED = "Disabled"
    ARCHIVED = "Archived"


class ExperimentStatus(StrEnum):
    ACTIVE = "active"
    SETUP = "setup"
    DECISION_MADE = "decision_made"
    ABANDONED = "abandoned"
    ARCHIVED = "archived"
    EXPERIMENT_STOPPED = "experiment_stopped"
    ASSIGNMENT_STOPPED = "assignment_stopped"


class SegmentType(StrEnum):
    ID_LIST = "id_list"
    RULE_BASED = "rule_based"
    ANALYSIS_LIST = "analysis_list"
    USER_STORE_ID_LIST = "user_store_id_list"


class Condition(StatsigModel):
    """One AND-ed condition of a rule. ``operator`` is free text: Statsig adds new ones."""

    type: str
    operator: str | None = None
    target_value: Any = None
    field: str | None = None
    custom_id: str | None = Field(default=None, alias="customID")


class AutomatedRollout(StatsigModel):
    time: EpochMs
    pass_percent: float


class Rule(StatsigModel):
    """A targeting rule. ``base_id`` stays stable across edits; ``id`` carries metadata."""

    name: str
    pass_percentage: float
    conditions: list[Condition] = Field(default_factory=list)
    environments: list[str] | None = None
    id: str | None = None
    base_id: str | None = Field(default=None, alias="baseID")
    return_value: Any = None
    completed_automated_rollouts: Annotated[
        list[AutomatedRollout], BeforeValidator(_none_to_list)
    ] = Field(default_factory=list)
    pending_automated_rollouts: Annotated[
        list[AutomatedRollout], BeforeValidator(_none_to_list)
    ] = Field(default_factory=list)


class Owner(StatsigModel):
    owner_id: str | None = Field(default=None, alias="ownerID")
    owner_type: str | None = None
    owner_name: str | None = None
    owner_email: str | None = None


class AllowedReviewer(StatsigModel):
    id: str
    name: str | None = None
    email: str | None = None


class ReviewSettings(StatsigModel):
    """Per-entity review requirement and its designated reviewers."""

    required_review: bool = False
    allowed_reviewers: Annotated[list[AllowedReviewer], BeforeValidator(_none_to_list)] = Field(
        default_factory=list
    )


class ActiveReview(StatsigModel):
    """An open review in Statsig. ``review_status`` is free text in the document."""

    review_id: str = Field(alias="reviewID")
    review_status: str
    description: str | None = None


class _Entity(StatsigModel):
    """Fields shared by gates, dynamic configs, experiments and segments."""

    id: str
    name: str | None = None
    id_type: str | None = None
    description: str | None = None
    tags: Annotated[list[str], BeforeValidator(_none_to_list)] = Field(default_factory=list)
    target_apps: StrList = Field(default_factory=list)
    holdout_ids: Annotated[list[str], BeforeValidator(_none_to_list)] = Field(
        default_factory=list, alias="holdoutIDs"
    )
    team: str | None = None
    team_id: str | None = Field(default=None, alias="teamID")
    version: int | None = None
    owner: Owner | None = None
    creator_id: str | None = Field(default=None, alias="creatorID")
    creator_name: str | None = None
    creator_email: str | None = None
    created_time: EpochMs | None = None
    last_modifier_id: str | None = Field(default=None, alias="lastModifierID")
    last_modifier_name: str | None = None
    last_modifier_email: str | None = None
    last_modified_time: EpochMs | None = None

    @property
    def display_name(self) -> str:
        return self.name or self.id


class Gate(_Entity):
    """A feature gate (``ExternalGateDto``)."""

    is_enabled: bool
    status: GateStatus | str = Field(default=GateStatus.IN_PROGRESS, union_mode="left_to_right")
    type: GateType | str | None = Field(default=None, union_mode="left_to_right")
    type_reason: str | None = None
    checks_per_hour: float | None = None
    rules: list[Rule] = Field(default_factory=list)
    is_template: bool | None = None
    measure_metric_lifts: bool | None = None
    review_settings: ReviewSettings | None = None
    active_review: ActiveReview | None = None
    release_pipeline_id: str | None = Field(default=None, alias="releasePipelineID")


class DynamicConfig(_Entity):
    """A dynamic config (``DynamicConfigDto``). The document gives it no review fields."""

    is_enabled: bool = True
    status: DynamicConfigStatus | str | None = Field(default=None, union_mode="left_to_right")
    rules: list[Rule] = Field(default_factory=list)
    default_value: Any = None
    is_template: bool | None = None
    release_pipeline_id: str | None = Field(default=None, alias="releasePipelineID")
    review_settings: ReviewSettings | None = None
    active_review: ActiveReview | None = None


class ExperimentGroup(StatsigModel):
    name: str
    id: str | None = None
    size: float = 0
    parameter_values: dict[str, Any] = Field(default_factory=dict)
    disabled: bool | None = None
    description: str | None = None


class ExperimentMetric(StatsigModel):
    name: str
    type: str | None = None
    direction: str | None = None
    hypothesized_value: float | None = None


class Experiment(_Entity):
    """An experiment (``ExternalExperimentDto``)."""

    status: ExperimentStatus | str = Field(union_mode="left_to_right")
    hypothesis: str | None = None
    groups: list[ExperimentGroup] = Field(default_factory=list)
    control_group_id: str | None = Field(default=None, alias="controlGroupID")
    launched_group_id: str | None = Field(default=None, alias="launchedGroupID")
    allocation: float | None = None
    layer_id: str | None = Field(default=None, alias="layerID")
    targeting_gate_id: str | None = Field(default=None, alias="targetingGateID")
    decision_reason: str | None = None
    start_time: EpochMs | None = None
    end_time: EpochMs | None = None
    decision_time: EpochMs | None = None
    duration: int | None = None
    health_check_status: str | None = None
    primary_metrics: Annotated[list[ExperimentMetric], BeforeValidator(_none_to_list)] = Field(
        default_factory=list
    )
    secondary_metrics: Annotated[list[ExperimentMetric], BeforeValidator(_none_to_list)] = Field(
        default_factory=list
    )
    review_settings: ReviewSettings | None = None
    active_review: ActiveReview | None = None


class Segment(_Entity):
    """A segment (``SegmentDto``): an ID list or a set of rules."""

    type: SegmentType | str = Field(union_mode="left_to_right")
    is_enabled: bool = True
    count: int | None = None
    rules: Annotated[list[Rule], BeforeValidator(_to_list)] = Field(default_factory=list)


class IdList(StatsigModel):
    name: str
    count: int
    ids: list[str] = Field(default_factory=list)


class EnvironmentOverride(StatsigModel):
    environment: str | None = None
    unit_id: str | None = Field(default=None, alias="unitID")
    passing_ids: list[str] = Field(default_factory=list, alias="passingIDs")
    failing_ids: list[str] = Field(default_factory=list, alias="failingIDs")


class GateOverrides(StatsigModel):
    """Per-ID pass/fail overrides of a gate (``OverrideDto``)."""

    passing_user_ids: list[str] = Field(default_factory=list, alias="passingUserIDs")
    failing_user_ids: list[str] = Field(default_factory=list, alias="failingUserIDs")
    passing_custom_ids: Annotated[list[str], BeforeValidator(_none_to_list)] = Field(
        default_factory=list, alias="passingCustomIDs"
    )
    failing_custom_ids: Annotated[list[str], BeforeValidator(_none_to_list)] = Field(
        default_factory=list, alias="failingCustomIDs"
    )
    environment_overrides: Annotated[list[EnvironmentOverride], BeforeValidator(_none_to_list)] = (
        Field(default_factory=list)
    )

    @property
    def count(self) -> int:
        total = len(self.passing_user_ids) + len(self.failing_user_ids)
        total += len(self.passing_custom_ids) + len(self.failing_custom_ids)
        for env in self.environment_overrides:
            total += len(env.passing_ids) + len(env.failing_ids)
        return total


class GateReferences(StatsigModel):
    """What depends on a gate: the blast radius shown before disabling it."""

    gates: list[Gate] = Field(default_factory=list)
    experiments: list[Experiment] = Field(default_factory=list)
    configs: list[DynamicConfig] = Field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.gates) + len(self.experiments) + len(self.configs)


class ExperimentSegmentOverride(StatsigModel):
    """A gate/segment → group override. The document's own example spells ``id`` as ``name``."""

    type: str
    id: str | None = None
    name: str | None = None
    group_id: str = Field(alias="groupID")
    environment: str | None = None


class ExperimentIdOverride(StatsigModel):
    group_id: str = Field(alias="groupID")
    ids: list[str] = Field(default_factory=list)
    environment: str | None = None
    unit_type: str | None = None


class ExperimentOverrides(StatsigModel):
    overrides: list[ExperimentSegmentOverride] = Field(default_factory=list)
    user_id_overrides: list[ExperimentIdOverride] = Field(
        default_factory=list, alias="userIDOverrides"
    )


class AuditLogEntry(StatsigModel):
    """One Statsig audit log line. ``date``/``time`` are display strings, not timestamps."""

    id: str
    name: str | None = None
    change_log: str | None = None
    action_type: Any = None
    date: str | None = None
    time: str | None = None
    updated_by: str | None = None
    updated_by_user_id: str | None = Field(default=None, alias="updatedByUserID")
    modifier_email: Any = None
    changes: Any = None
    tags: Annotated[list[str], BeforeValidator(_none_to_list)] = Field(default_factory=list)
    target_app_ids: Annotated[list[str], BeforeValidator(_none_to_list)] = Field(
        default_factory=list, alias="targetAppIDs"
    )

    @property
    def when(self) -> datetime | None:
        """Best-effort timestamp from the ``date`` and ``time`` display strings."""
        if not self.date:
            return None
        clock = (self.time or "00:00:00").split(" ")[0]
        for fmt in ("%a %b %d %Y %H:%M:%S", "%Y-%m-%d %H:%M:%S"):
            try:
                return datetime.strptime(f"{self.date} {clock}", fmt).replace(tzinfo=UTC)
            except ValueError:
                continue
        return None


class Environment(StatsigModel):
    id: str
    name: str
    is_production: bool = False
    requires_review: bool = False
    required_review_group_id: str | None = Field(default=None, alias="requiredReviewGroupID")
    requires_release_pipeline: bool = False


class EnvironmentList(StatsigModel):
    environments: list[Environment] = Field(default_factory=list)


class User(StatsigModel):
    """A Statsig project member (``UserContractDto``)."""

    email: str
    first_name: str | None = None
    last_name: str | None = None
    role: str | None = None


class Team(StatsigModel):
    """A Statsig team (``TeamDto``). The full document's examples omit ``id``."""

    id: str | None = None
    name: str
    description: str | None = None
    review_approval: str | None = None
    change_team_configs: str | None = None
    require_reviews: bool | None = None
    members: Annotated[list[User], BeforeValidator(_none_to_list)] = Field(default_factory=list)
    admins: Annotated[list[User], BeforeValidator(_none_to_list)] = Field(default_factory=list)


class Tag(StatsigModel):
    id: str | None = None
    name: str
    description: str | None = None
    is_core: bool | None = None


class ReviewsSettings(StatsigModel):
    """Project-level review switches (``/settings/reviews``); snake_case on the wire too."""

    model_config = ConfigDict(alias_generator=None)

    is_config_review_required: bool = False
    is_metric_review_required: bool = False
    is_metric_review_required_on_verified_only: bool = False
    is_whn_analysis_only_review_required: bool | None = None
    is_whn_source_review_required: bool | None = None


class ReleasePipelineTrigger(StatsigModel):
    id: str
    release_pipeline_id: str | None = Field(default=None, alias="releasePipelineID")
    status: str | None = None
    gate_id: str | None = Field(default=None, alias="gateID")
    dynamic_config_id: str | None = Field(default=None, alias="dynamicConfigID")
    current_phase: str | None = None
    current_phase_id: str | None = Field(default=None, alias="currentPhaseID")
    current_phase_end_time: EpochMs | None = None
    description: str | None = None
    actions: list[dict[str, Any]] = Field(default_factory=list)
    created_time: EpochMs | None = None


class ErrorBody(StatsigModel):
    """Statsig's documented error body: ``{"status": 404, "message": "…"}``."""

    status: int | None = None
    message: str = ""


class MessageResponse(StatsigModel):
    """A success answer that carries only a message (start, abandon, ID list changes …)."""

    message: str = ""


T = TypeVar("T")


class SingleResponse(StatsigModel, Generic[T]):
    """The ``{message, data}`` envelope."""

    message: str = ""
    data: T


class Pagination(StatsigModel):
    """Paging metadata. ``next_page`` is informative only: its format is inconsistent."""

    items_per_page: int
    page_number: int
    next_page: str | None = None
    previous_page: str | None = None
    total_items: int | None = None
    all: str | None = None


class Page(StatsigModel, Generic[T]):
    """The ``{message, data: [...], pagination}`` envelope."""

    message: str = ""
    data: list[T] = Field(default_factory=list)
    pagination: Pagination | None = None
