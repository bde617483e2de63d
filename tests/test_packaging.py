"""The Dockerfile's install steps without Docker: build the wheel, install it alone, run it.

CI has no Docker engine, so this does what the image does (``pip wheel .`` in the build
stage, install of that wheel in the final one) and starts the bot from the result: the
wheel must carry everything the bot reads at run time (the sandbox's policy, data files),
not only the Python code. The installed copy is put first on ``sys.path`` and the check
asserts that it, not the checkout, is what ran.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
        check=True,
        timeout=300,
    )
    [built] = out.glob("statsig_chatops-*.whl")
    return built


def test_the_wheel_carries_the_data_files(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "bot/sandbox/policy.toml" in names
    assert "bot/py.typed" in names
    assert not any(n.startswith(("tests/", "bench/")) for n in names)


def test_the_installed_wheel_starts_and_answers(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(target),
         str(wheel)],
        check=True,
        timeout=300,
    )  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(target)}
    for name in ("SLACK_BOT_TOKEN", "STATSIG_CONSOLE_API_KEY", "REDIS_URL", "STATSIG_BOT_POLICY"):
        env.pop(name, None)
    code = (
        "import bot, sys; assert bot.__file__.startswith(sys.argv[1]), bot.__file__; "
        "from bot.cli import main; sys.argv = ['statsig-bot', 'shell', '-c', 'gate checkout_v2']; "
        "main()"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, str(target)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert "checkout_v2" in run.stdout
