"""Merging the bot's audit events with Statsig's audit log for ``/statsig audit``."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.approvals.audit import BOT_MARK, event_as_entry, merge_audit
from bot.ops.model.requests import AuditEvent
from bot.ops.model.states import ApprovalState
from bot.render.approvals import render_thread_entry
from bot.render.history import render_audit
from bot.statsig.models import AuditLogEntry


def _event(n: int, entity: str, when: datetime, event: str = "approved") -> AuditEvent:
    return AuditEvent(
        id=f"1700000000000-{n}",
        request_id=f"req{n:08d}",
        event=event,
        from_state=ApprovalState.PENDING,
        to_state=ApprovalState.APPROVED,
        actor="UBOB",
        at=when,
        entity_kind="gate",
        entity_id=entity,
        action="gate.disable",
        detail={"reason": "too <b>risky</b>"} if event == "rejected" else {},
    )


def _statsig(n: int, name: str, when: datetime) -> AuditLogEntry:
    return AuditLogEntry(
        id=f"audit{n}",
        name=name,
        change_log="Updated Gate",
        date=when.strftime("%Y-%m-%d"),
        time=when.strftime("%H:%M:%S"),
        updated_by="Console User",
    )


def test_both_trails_interleave_newest_first() -> None:
    t = [datetime(2026, 1, 1, h, 0, tzinfo=UTC) for h in range(5)]
    merged = merge_audit(
        [_event(1, "nav", t[0]), _event(2, "nav", t[3])],
        [_statsig(1, "nav", t[1]), _statsig(2, "nav", t[4])],
    )
    assert [e.id for e in merged] == [
        "audit2",
        "bot:1700000000000-2",
        "audit1",
        "bot:1700000000000-1",
    ]
    assert merged[1].change_log is not None and merged[1].change_log.startswith(BOT_MARK)
    assert merged[1].when == t[3]


def test_filters_by_entity_time_and_limit() -> None:
    t = [datetime(2026, 1, 1, h, 0, tzinfo=UTC) for h in range(6)]
    events = [_event(i, "nav" if i % 2 else "other", t[i]) for i in range(6)]
    statsig = [_statsig(1, "NAV", t[2]), _statsig(2, "other", t[5])]
    merged = merge_audit(events, statsig, name="nav", since=t[2])
    assert {e.name for e in merged} <= {"nav", "NAV"}
    assert all(e.when is not None and e.when >= t[2] for e in merged)
    assert len(merged) == 3
    assert len(merge_audit(events, statsig, limit=2)) == 2


def test_bot_entries_render_with_reason_escaped() -> None:
    when = datetime(2026, 1, 1, 9, 30, tzinfo=UTC)
    entry = event_as_entry(_event(7, "nav", when, event="rejected"))
    assert entry.updated_by == "UBOB" and "req00000007" in (entry.change_log or "")
    text = str(render_audit([entry]).blocks)
    assert "<b>" not in text and "&lt;b&gt;" in text


def test_the_bots_own_steps_name_statsig_bot_not_the_executor_id() -> None:
    when = datetime(2026, 1, 1, tzinfo=UTC)
    machine = [
        _event(1, "nav", when, "claimed").model_copy(update={"actor": "vm:7863"}),
        _event(2, "nav", when, "finished").model_copy(update={"actor": "vm:7863"}),
        _event(3, "nav", when, "expired").model_copy(update={"actor": "sweeper"}),
    ]
    for event in machine:
        assert event_as_entry(event).updated_by == "statsig-bot"
        shown = str(render_thread_entry(event).blocks) + render_thread_entry(event).text
        assert "vm:7863" not in shown and "sweeper" not in shown and "statsig-bot" in shown
        assert event.actor in ("vm:7863", "sweeper")  # the raw record keeps it
    person = _event(4, "nav", when, "approved")
    assert event_as_entry(person).updated_by == "UBOB"
    assert "<@UBOB>" in str(render_thread_entry(person).blocks)


def _step(n: int, event: str, to: ApprovalState, actor: str, request: str) -> AuditEvent:
    return AuditEvent(
        id=f"1700000000000-{n}",
        request_id=request,
        event=event,
        from_state=None,
        to_state=to,
        actor=actor,
        at=datetime(2026, 1, 1, 9, 0, tzinfo=UTC),  # all within one second
        entity_kind="gate",
        entity_id="checkout_v2",
        action="incident.kill",
    )


def test_one_line_per_visible_event_newest_first_with_the_reason() -> None:
    s = ApprovalState
    events = [
        _step(1, "created", s.PENDING, "alice@example.com", "k1"),
        _step(2, "approved", s.APPROVED, "alice@example.com", "k1"),  # ran at once
        _step(3, "claimed", s.EXECUTING, "vm:1", "k1"),
        _step(4, "lease_renewed", s.EXECUTING, "vm:1", "k1"),
        _step(5, "finished", s.EXECUTED, "vm:1", "k1"),
        _step(6, "created", s.PENDING, "carol@example.com", "k2"),
        _step(7, "approved", s.APPROVED, "bob@example.com", "k2"),
    ]
    merged = merge_audit(events, [], reasons={"k1": "INC-231 errors spiking"})
    lines = [(e.updated_by, e.change_log) for e in merged]
    assert lines == [
        ("bob@example.com", "[bot] approved kill gate checkout_v2 (request k2)"),
        ("carol@example.com", "[bot] requested kill gate checkout_v2 (request k2)"),
        ("statsig-bot", "[bot] executed kill gate checkout_v2 (request k1)"),
        (
            "alice@example.com",
            "[bot] requested kill gate checkout_v2: INC-231 errors spiking (request k1)",
        ),
    ]
    text = str(render_audit(merged).blocks)
    assert "lease" not in text and "incident.kill" not in text


def test_a_failed_execution_shows_its_error() -> None:
    failed = _step(1, "finished", ApprovalState.FAILED, "vm:1", "k1").model_copy(
        update={"detail": {"outcome": '{"status": "failed", "error": "Statsig said 500"}'}}
    )
    entry = event_as_entry(failed)
    assert entry.change_log == "[bot] failed kill gate checkout_v2: Statsig said 500 (request k1)"
