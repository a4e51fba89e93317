"""Deterministic SVG charts of the published tables, one module per chart; what they share
(style, rendering, the `<title>`) is in `oshs.charts.common`."""

from __future__ import annotations

from oshs.charts.cambrian import cambrian_explosion_chart
from oshs.charts.history import has_history, history_chart

__all__ = ["cambrian_explosion_chart", "has_history", "history_chart"]
