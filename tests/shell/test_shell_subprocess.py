"""``python -m bot shell`` as a newcomer runs it: a real process, piped stdin, no credentials."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CREDENTIALS = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "STATSIG_CONSOLE_API_KEY",
    "REDIS_URL",
    "STATSIG_BOT_POLICY",
    "LOG_LEVEL",
)


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CREDENTIALS}
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def run_bot(args: list[str], stdin: str | None, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        cwd=cwd,
        env=clean_env(),
        check=False,
    )


def test_newcomer_lists_shows_disables_and_sees_it_disabled(tmp_path: Path) -> None:
    script = (
        'gate list\ngate checkout_v2\ngate disable checkout_v2 "testing"\ny\ngate checkout_v2\n'
    )
    done = run_bot(["shell"], script, tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "sandbox with demo data" in lines[0] and "fakeredis" in lines[0]
    assert "checkout_v2" in done.stdout.split("🚦 Gate: checkout_v2")[0]  # in the list
    assert "Apply? [y/N]" in done.stdout and "Now disabled." in done.stdout
    last = done.stdout.rsplit("🚦 Gate: checkout_v2", 1)[1]
    assert "⛔ disabled" in last
    assert done.stderr == ""


def test_c_exit_codes_in_a_real_process(tmp_path: Path) -> None:
    ok = run_bot(["shell", "-c", "gate checkout_v2"], None, tmp_path)
    assert ok.returncode == 0 and "Gate: checkout_v2" in ok.stdout
    unconfirmed = run_bot(["shell", "-c", "gate disable checkout_v2"], None, tmp_path)
    assert unconfirmed.returncode == 3 and "Plan: disable gate checkout_v2" in unconfirmed.stdout
    usage = run_bot(["shell", "-c", "gate"], None, tmp_path)
    assert usage.returncode == 0  # a bare noun is help for it
    bad = run_bot(["shell", "-c", "gate rollout new_nav 250"], None, tmp_path)
    assert bad.returncode == 2 and "Usage: gate rollout" in bad.stdout


def test_odd_input_never_ends_in_a_traceback(tmp_path: Path) -> None:
    digit = run_bot(["shell", "-c", "²"], None, tmp_path)
    assert digit.returncode == 2 and "unknown command" in digit.stdout
    empty = run_bot(["shell", "-c", ""], None, tmp_path)
    assert empty.returncode == 2 and 'Usage: statsig-bot shell -c "<command>"' in empty.stderr
    nobody = run_bot(["shell", "--as", "", "-c", "gate checkout_v2"], None, tmp_path)
    assert nobody.returncode == 2 and "--as: the e-mail address is empty" in nobody.stderr
    huge = ":as " + "x" * 70_000 + "@example.com\ngate checkout_v2\n"
    piped = run_bot(["shell"], huge, tmp_path)
    assert piped.returncode == 0 and "🚦 Gate: checkout_v2" in piped.stdout
    for done in (digit, empty, nobody, piped):
        assert "Traceback" not in done.stderr + done.stdout


def test_shell_help_documents_the_exit_codes(tmp_path: Path) -> None:
    done = run_bot(["shell", "--help"], None, tmp_path)
    assert done.returncode == 0 and "4 requested, not applied" in done.stdout
