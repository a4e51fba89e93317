"""What every chart shares: deterministic SVG drawn with matplotlib's Agg canvas.

Every chart is drawn on a private `Figure` with its own `FigureCanvasAgg`, never through `pyplot`:
no global figure state, no display needed, and no `matplotlib.use`, which would switch the backend
of a notebook or application that imports oshs. Drawing happens inside `matplotlib.rc_context`
with a fixed size, the DejaVu Sans font that ships with matplotlib, mathtext off (a `$` in a
GitHub string is just a dollar sign), a fixed SVG hash salt and no date or version in the SVG
metadata: the same tables give the same bytes.

Text from GitHub (language names) is made one line by `oshs.text.shorten` and reaches the SVG
only through matplotlib's writer, which escapes it; glyphs are written as paths (`svg.fonttype:
path`), so the file renders the same everywhere. The `<title>` is escaped by `oshs.text.escape_svg`.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from oshs.errors import ChartError
from oshs.text import escape_svg

OTHER = "Other"
NO_LANGUAGE = "No language"

# Paul Tol's "muted" qualitative scheme (colour-blind safe), then greys for the catch-alls.
PALETTE = ("#332288", "#88CCEE", "#44AA99", "#117733", "#999933",
           "#DDCC77", "#CC6677", "#882255", "#AA4499")  # fmt: skip
OTHER_COLOUR = "#BBBBBB"
NO_LANGUAGE_COLOUR = "#EEEEEE"
# Line hatches only: dot and circle hatches cost hundreds of kilobytes of SVG paths.
HATCHES = ("", "///", "\\\\\\", "xx", "|||", "---", "++", "//", "\\\\")
OTHER_HATCH = ""
NO_LANGUAGE_HATCH = "||"

FIGSIZE = (10.0, 6.0)  # inches
DPI = 100
LABEL_FONTSIZE = 9.0
LABEL_MAX_CHARS = 24
MAX_POINTS = 240  # time points per band: about 2 pt apart, finer than the eye needs
AXES_BOX = {"left": 0.08, "right": 0.76, "bottom": 0.10, "top": 0.84}

RC: dict[Any, Any] = {  # matplotlib types its keys as literals
    "svg.hashsalt": "oshs",
    "svg.fonttype": "path",
    "svg.id": None,
    "font.family": "DejaVu Sans",
    "font.size": 10.0,
    "text.usetex": False,
    "text.parse_math": False,
    "axes.formatter.use_locale": False,
    "timezone": "UTC",
    "path.simplify": True,
    "hatch.color": "#00000059",
    "hatch.linewidth": 0.6,
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "savefig.bbox": None,
    "savefig.facecolor": "white",
    "savefig.edgecolor": "white",
    "savefig.transparent": False,
}
SVG_METADATA = {"Creator": "oshs", "Date": None}


def render(figure: Figure, title: str) -> bytes:
    """Serialise `figure` as SVG without any timestamp or version.

    The SVG gets a `<title>` (escaped) as its first child, which screen readers announce when
    the file is opened or inlined (glyphs are paths, so there is no other text to read).
    """
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata=SVG_METADATA, dpi=DPI)
    svg = buffer.getvalue()
    root_end = svg.index(b">", svg.index(b"<svg ")) + 1
    element = b"\n <title>" + escape_svg(title).encode() + b"</title>"
    return svg[:root_end] + element + svg[root_end:]


def new_figure() -> tuple[Figure, Any]:
    """A figure on its own Agg canvas, with one axes at a fixed position."""
    figure = Figure(figsize=FIGSIZE, dpi=DPI)
    FigureCanvasAgg(figure)
    figure.subplots_adjust(**AXES_BOX)
    return figure, figure.add_subplot()


def parse_day(value: str) -> dt.date:
    """Parse a `YYYY-MM-DD` string, or raise `ChartError` naming what was expected."""
    text = str(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    raise ChartError(f"chart date {value!r}: expected a collection date as YYYY-MM-DD")
