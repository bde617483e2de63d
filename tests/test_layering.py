"""The tree's layering (docs/ARCHITECTURE.md) holds, and the check would catch a breach.

``lint-imports`` reads the contracts in ``pyproject.toml``: the layers (surfaces over the
service over the workflow over rendering over the pure core), the order inside the core,
the one door for listeners, Bolt only in the Slack surface, and no cycles between any two
modules or packages. Imports inside functions and under ``TYPE_CHECKING`` count.

The tests of the test copy ``bot/`` into a temporary directory, add one bad import, and
expect the same command to fail naming the contract it broke.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(tree / "pyproject.toml")],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_tree_keeps_every_contract() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "bot", tmp_path / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _append(tree: Path, module: str, code: str) -> None:
    path = tree / (module.replace(".", "/") + ".py")
    path.write_text(path.read_text() + "\n" + code + "\n")


BREACHES = [
    pytest.param(
        "bot.ops.model.plans",
        "from bot.render.common import Message  # the core drawing Block Kit",
        "surfaces over the service",
        id="core-imports-render",
    ),
    pytest.param(
        "bot.render.common",
        "def _late() -> None:\n    from bot.slack import app  # inside a function still counts",
        "surfaces over the service",
        id="render-imports-slack-in-a-function",
    ),
    pytest.param(
        "bot.ops.actions.base",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
        "    from bot.ops.policy.rules import Policy",
        "inside the pure core",
        id="actions-import-policy-for-typing",
    ),
    pytest.param(
        "bot.slack.listeners.events",
        "from bot.approvals.workflow import ApprovalWorkflow  # past the door",
        "go through ChatOps only",
        id="listener-reaches-the-workflow",
    ),
    pytest.param(
        "bot.approvals.execute",
        "def _back() -> None:\n    from bot.approvals import workflow  # workflow -> execute",
        "no two modules or packages import each other",
        id="cycle-between-siblings",
    ),
    pytest.param(
        "bot.render.plans",
        "import slack_bolt  # rendering must not need Bolt",
        "only the Slack surface knows Bolt",
        id="render-imports-bolt",
    ),
]


@pytest.mark.parametrize(("module", "code", "contract"), BREACHES)
def test_a_wrong_way_import_breaks_the_build(
    copy: Path, module: str, code: str, contract: str
) -> None:
    _append(copy, module, code)
    result = _lint(copy)
    assert result.returncode != 0, result.stdout
    broken = [line for line in result.stdout.splitlines() if line.endswith("BROKEN")]
    assert any(contract in line for line in broken), result.stdout


ESCAPES = {"esc", "esc_plain", "ident", "esc_multiline", "person", "truncate"}


@pytest.mark.parametrize("package", ["chatops", "approvals", "ops"])
def test_escaping_happens_only_in_render(package: str) -> None:
    """STYLE: user and Statsig text is escaped where it is rendered, and nowhere else."""
    import ast

    offenders = []
    for path in (ROOT / "bot" / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("bot.render"):
                offenders += [f"{path.name}: {a.name}" for a in node.names if a.name in ESCAPES]
    assert offenders == []


def test_no_module_imports_names_from_its_own_package_hub() -> None:
    """A package ``__init__`` that re-exports its modules (``bot.render``) is for callers
    outside it; a module inside importing a name from it would be a cycle through the hub
    that import-linter cannot see. Importing a sibling *module* through the package is fine."""
    import ast

    offenders = []
    for path in (ROOT / "bot").rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        module_parts = parts[:-1] if parts[-1] == "__init__" else parts
        ancestors = {".".join(module_parts[:i]) for i in range(2, len(module_parts))}
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ImportFrom) or node.module not in ancestors:
                continue
            package = ROOT.joinpath(*node.module.split("."))
            for alias in node.names:
                is_module = (package / f"{alias.name}.py").exists() or (
                    package / alias.name
                ).is_dir()
                if not is_module:
                    offenders.append(
                        f"{'.'.join(module_parts)}: from {node.module} import {alias.name}"
                    )
    assert offenders == []
