"""Horizontal bars with their values written at their ends: the form of every ranking chart
(languages, licences, topics, organisations). The value is always written, so the chart is
read without colour; a bar's colour and hatch only set the catch-alls ("Other", "No licence")
apart from the named values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from oshs.charts.common import (
    BAR_COLOUR,
    LABEL_FONTSIZE,
    THOUSANDS,
    offset_points,
    row_labels,
    style_axes,
)

SPECIAL_HATCH = "///"
SPECIAL_FACE = "#CCCCCC"


@dataclass(frozen=True)
class Bar:
    """One bar: its label on the axis, its length, the text at its end, and whether it is a
    catch-all ("Other", "No licence"), drawn grey and hatched."""

    label: str
    value: float
    text: str
    special: bool = False


def hbars(axes: Any, bars: Sequence[Bar], *, xlabel: str, room: float = 1.3) -> None:
    """Draw `bars` top to bottom on `axes`, each with its text at its end; the x axis starts
    at 0 and leaves `room` times the longest bar for the texts."""
    style_axes(axes, grid="x")
    axes.xaxis.set_major_formatter(THOUSANDS)
    axes.set_xlabel(xlabel, fontsize=LABEL_FONTSIZE)
    axes.tick_params(axis="y", length=0, labelsize=LABEL_FONTSIZE)
    axes.tick_params(axis="x", labelsize=LABEL_FONTSIZE - 0.5)
    longest = max((bar.value for bar in bars), default=0)
    axes.set_xlim(0, max(longest, 1) * room)
    if not bars:
        axes.set_yticks([])
        return
    y = np.arange(len(bars))[::-1]
    axes.set_ylim(-0.6, len(bars) - 0.4)
    shifted = offset_points(axes, 4, 0)
    for position, bar in zip(y, bars, strict=True):
        axes.barh(position, bar.value, height=0.72,
                  color=SPECIAL_FACE if bar.special else BAR_COLOUR,
                  hatch=SPECIAL_HATCH if bar.special else None, edgecolor="white",
                  linewidth=0.5)  # fmt: skip
        axes.text(bar.value, position, bar.text, transform=shifted, va="center", ha="left",
                  fontsize=LABEL_FONTSIZE)  # fmt: skip
    row_labels(axes, y, [bar.label for bar in bars])


def not_collected(axes: Any, text: str) -> None:
    """An empty panel that says what was not collected."""
    axes.set_axis_off()
    axes.text(0.5, 0.5, text, transform=axes.transAxes, ha="center", va="center",
              fontsize=LABEL_FONTSIZE + 1, color="#444444", wrap=True)  # fmt: skip
