"""JSON snapshots of rendered messages, regenerated with ``UPDATE_SNAPSHOTS=1``."""

from __future__ import annotations

import json
import os
from pathlib import Path

from bot.render import Message

SNAPSHOTS = Path(__file__).parent / "snapshots"


def assert_matches_snapshot(name: str, message: Message) -> None:
    path = SNAPSHOTS / f"{name}.json"
    actual = message.to_dict()
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(json.dumps(actual, indent=2, ensure_ascii=False) + "\n")
        return
    assert path.is_file(), f"no snapshot {path.name}; run with UPDATE_SNAPSHOTS=1 to create it"
    expected = json.loads(path.read_text())
    assert actual == expected, f"{name} differs from its snapshot; review, then UPDATE_SNAPSHOTS=1"
