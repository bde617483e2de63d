"""Figures and tables: percentiles, ratios and the plain-text table each benchmark prints.

Every benchmark compares itself with a baseline measured in the same run, so a slow or
busy machine moves both numbers and the *ratio* stays meaningful; absolute milliseconds
are printed for context only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = ["Report", "fmt_ms", "fmt_ratio", "percentile", "ratio"]


def percentile(samples: Sequence[float], pct: float) -> float:
    """The nearest-rank percentile (``pct`` in 0..100) of ``samples``; NaN when empty.

    Nearest-rank keeps p99 of 50 samples an observed value (the worst one) rather than an
    interpolation between two samples that never happened.
    """
    if not samples:
        return math.nan
    ordered = sorted(samples)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def ratio(ours: float, baseline: float) -> float:
    """``ours / baseline``; NaN when the baseline is zero or unknown."""
    if baseline <= 0 or math.isnan(baseline) or math.isnan(ours):
        return math.nan
    return ours / baseline


def fmt_ms(seconds: float) -> str:
    """Seconds as milliseconds with precision suited to the size."""
    if math.isnan(seconds):
        return "n/a"
    ms = seconds * 1000
    if ms < 1:
        return f"{ms:.3f} ms"
    if ms < 100:
        return f"{ms:.2f} ms"
    return f"{ms:.0f} ms"


def fmt_ratio(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.2f}x"


@dataclass
class Report:
    """One benchmark's result: a titled table plus notes on how it was measured."""

    title: str
    columns: tuple[str, ...]
    rows: list[tuple[str, ...]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *cells: str) -> None:
        if len(cells) != len(self.columns):
            raise ValueError(f"row has {len(cells)} cells, table has {len(self.columns)}")
        self.rows.append(tuple(cells))

    def render(self) -> str:
        """The table as aligned plain text (first column left, figures right)."""
        table = [self.columns, *self.rows]
        widths = [max(len(row[i]) for row in table) for i in range(len(self.columns))]

        def line(row: tuple[str, ...]) -> str:
            cells = [
                cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i])
                for i, cell in enumerate(row)
            ]
            return "  ".join(cells).rstrip()

        rule = "  ".join("-" * w for w in widths)
        out = [self.title, "=" * len(self.title), line(self.columns), rule]
        out += [line(row) for row in self.rows]
        out += [f"  * {note}" for note in self.notes]
        return "\n".join(out)
