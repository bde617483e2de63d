"""The deployment files say what the README promises: replicas, probes, a Redis that keeps
approvals (AOF, noeviction), a non-root user that matches the image."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _docs(path: Path) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def test_compose_runs_the_bot_on_a_redis_that_never_evicts() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    redis = compose["services"]["redis"]["command"]
    assert "--appendonly" in redis and redis[redis.index("--appendonly") + 1] == "yes"
    assert redis[redis.index("--maxmemory-policy") + 1] == "noeviction"
    bot = compose["services"]["bot"]
    assert bot["environment"]["REDIS_URL"].startswith("redis://redis:")
    assert bot["depends_on"]["redis"]["condition"] == "service_healthy"
    assert "demo" in compose["services"]["sandbox"]["profiles"]


def test_kubernetes_runs_three_probed_non_root_replicas_with_a_budget() -> None:
    kinds = {d["kind"]: d for p in (ROOT / "deploy/kubernetes").glob("*.yaml") for d in _docs(p)}
    assert set(kinds) >= {"Deployment", "Service", "Secret", "PodDisruptionBudget"}
    spec = kinds["Deployment"]["spec"]
    assert spec["replicas"] == 3
    pod = spec["template"]["spec"]
    assert pod["terminationGracePeriodSeconds"] >= 20
    [container] = pod["containers"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["resources"]["limits"] and container["resources"]["requests"]
    image_user = re.search(r"^USER (\d+)$", (ROOT / "Dockerfile").read_text(), re.M)
    assert image_user is not None
    assert pod["securityContext"]["runAsUser"] == int(image_user.group(1))
    assert kinds["PodDisruptionBudget"]["spec"]["maxUnavailable"] == 1
