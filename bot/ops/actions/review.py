"""Will Statsig demand a review of this change, why, and whose approval counts?

Statsig has four switches that make a change need review (NOTES §4): the entity's own
``reviewSettings.requiredReview``, the project's ``/settings/reviews``
(``is_config_review_required``), an environment's ``requiresReview`` and the owning team's
``requireReviews``. The bot treats any one of them as "needs approval in chat": it asks for
review at least as often as Statsig does, never less. (Statsig's experiment-review page says
environments only *scope* a project/team/entity requirement; counting them on their own
can ask for an approval Statsig would not. That errs on the safe side.)

Which environments a change touches is the action's business: a rollout touches the
environments of the rule it edits (a rule without a list applies in all of them), an
override with ``--env`` touches that one, everything else (enable, disable, launch,
archive, kill, restore, experiments, segments) touches all of them.

Whose approval counts: the entity's ``allowedReviewers`` and, when the team requires
reviews, the team's reviewers (see :func:`team_reviewers`). When no source names anyone,
the list is empty and the policy's approver group alone decides.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.ops.model.plans import REVIEW_WARNING
from bot.statsig.models import Environment, ReviewSettings, Team

__all__ = [
    "ALL_ENVIRONMENTS",
    "ReviewVerdict",
    "review_verdict",
    "team_editors",
    "team_reviewers",
]

ALL_ENVIRONMENTS: None = None
"""``touched`` value meaning "every environment of the project"."""


@dataclass(frozen=True)
class ReviewVerdict:
    """``required``: Statsig will want a review; ``reasons``: which switches said so."""

    required: bool
    allowed_reviewers: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    @property
    def warning(self) -> str | None:
        """The plan's warning line saying *why* review is required."""
        if not self.required:
            return None
        why = "; ".join(self.reasons)
        return f"{REVIEW_WARNING} ({why}); it may wait for that review in Statsig."


def team_editors(team: Team | None) -> list[str] | None:
    """Who may change the team's entities (emails), or ``None`` when anyone may.

    Statsig documents ``changeTeamConfigs`` ∈ ``anyone``, ``team_only``; with ``team_only``
    we take the team's members and admins (project Admins are let through by the policy).
    """
    if team is None or (team.change_team_configs or "anyone").casefold() != "team_only":
        return None
    return sorted({p.email.casefold() for p in [*team.members, *team.admins] if p.email})


def team_reviewers(team: Team) -> list[str]:
    """The emails whose approval satisfies the team's review requirement.

    Our inference (Statsig documents only the enum ``reviewApproval`` ∈ ``anyone``,
    ``team_only``, ``admin_only``, not its exact effect through the Console API):

    ========================  =========================================
    ``reviewApproval``        reviewers the bot accepts
    ========================  =========================================
    ``admin_only``            the team's admins
    ``team_only``             the team's members and admins
    ``anyone`` / missing      the team's members and admins (we narrow
                              "anyone" to the team on purpose: stricter)
    ========================  =========================================
    """
    people = list(team.admins)
    if (team.review_approval or "anyone").casefold() != "admin_only":
        people += team.members
    return sorted({p.email.casefold() for p in people if p.email})


def _applies(env: Environment, touched: Sequence[str] | None) -> bool:
    if touched is None:
        return True
    wanted = {t.casefold() for t in touched}
    return env.name.casefold() in wanted or env.id.casefold() in wanted


def review_verdict(
    kind: str,
    settings: ReviewSettings | None,
    *,
    project_required: bool,
    environments: Sequence[Environment] | None,
    team: Team | None,
    touched: Sequence[str] | None = ALL_ENVIRONMENTS,
) -> ReviewVerdict:
    """Combine the four switches; ``environments``/``team`` are ``None`` when not read."""
    reasons: list[str] = []
    reviewers: set[str] = set()
    named = [r.email or r.name or r.id for r in settings.allowed_reviewers] if settings else []
    if settings is not None and settings.required_review:
        reasons.append(f"the {kind}'s own review setting")
    if project_required:
        reasons.append("the project requires reviews")
    for env in environments or ():
        if env.requires_review and _applies(env, touched):
            reasons.append(f"environment {env.name} requires review")
    if team is not None and team.require_reviews:
        reasons.append(f"team {team.name} requires reviews")
        reviewers.update(team_reviewers(team))
    if not reasons:
        return ReviewVerdict(required=False, allowed_reviewers=named)
    # The entity's designated reviewers come first, in Statsig's order; team ones follow.
    extra = sorted(r for r in reviewers if r not in {n.casefold() for n in named})
    return ReviewVerdict(required=True, allowed_reviewers=named + extra, reasons=reasons)
