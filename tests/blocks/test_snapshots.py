"""Rendered messages match the reviewed JSON under ``snapshots/``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.blocks.cases import CASES, spec_cases
from tests.blocks.snapshot import SNAPSHOTS, assert_matches_snapshot


@pytest.mark.parametrize("name", sorted(CASES))
def test_fixture_message_matches_snapshot(name: str) -> None:
    assert_matches_snapshot(name, CASES[name]())


def test_openapi_examples_match_snapshots(openapi_spec_path: Path) -> None:
    for name, message in spec_cases(openapi_spec_path).items():
        assert_matches_snapshot(name, message)


def test_every_snapshot_file_belongs_to_a_case(openapi_spec_path: Path) -> None:
    known = set(CASES) | set(spec_cases(openapi_spec_path))
    stale = {p.stem for p in SNAPSHOTS.glob("*.json")} - known
    assert not stale, f"snapshots without a case: {sorted(stale)}"
