"""A drawn chart (`Chart`): what the report, the website and the outputs folder take of it. Its
own module, without matplotlib, which only the process that draws the charts loads
(`oshs.charts.chart_jobs`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Chart:
    """A rendered chart: its file stem, `<title>`, `<desc>`, the SVG and PNG bytes, and its
    alt text (the `<desc>`, or its first part when that lists every organisation)."""

    name: str
    title: str
    description: str
    svg: bytes
    png: bytes
    alt: str
