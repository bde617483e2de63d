"""Prometheus metrics for the Slack surface, on a registry of their own.

Each app instance gets its own :class:`~prometheus_client.CollectorRegistry`, so tests can
build several apps in one process (two "replicas" sharing Redis) without the global
registry's duplicate-metric errors. ``GET /metrics`` renders exactly this registry.

Usage::

    metrics = SlackMetrics()
    metrics.requests.labels(kind="command").inc()
    body = metrics.render()
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

__all__ = ["CONTENT_TYPE", "SlackMetrics"]

CONTENT_TYPE = CONTENT_TYPE_LATEST


class SlackMetrics:
    """The counters and histograms the listeners and the HTTP server update."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        self.requests = Counter(
            "statsig_bot_slack_requests",
            "Requests received on POST /slack/events, by HTTP status.",
            ["status"],
            registry=self.registry,
        )
        self.response_seconds = Histogram(
            "statsig_bot_slack_response_seconds",
            "Time until Slack got its HTTP answer (the ack), in seconds.",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0),
            registry=self.registry,
        )
        self.handled = Counter(
            "statsig_bot_slack_handled",
            "Listener invocations, by listener kind and result (ok or error).",
            ["kind", "result"],
            registry=self.registry,
        )
        self.duplicate_events = Counter(
            "statsig_bot_slack_duplicate_events",
            "Events API deliveries dropped because their event_id was already handled.",
            registry=self.registry,
        )
        self.refused = Counter(
            "statsig_bot_slack_refused",
            "Requests stopped before any listener ran, by reason (unsigned, too_large, "
            "slow_body, content_type, malformed, foreign, replayed).",
            ["reason"],
            registry=self.registry,
        )
        self.dependency_up = Gauge(
            "statsig_bot_dependency_up",
            "Whether a shared dependency (redis, statsig) answered at the last scrape (1 or 0).",
            ["dependency"],
            registry=self.registry,
        )

    def render(self) -> bytes:
        """The text exposition format for ``GET /metrics``."""
        return generate_latest(self.registry)
