"""What every chart shares: style, layout, labels of provenance, and deterministic rendering.

Every chart is drawn on a private `Figure` with its own `FigureCanvasAgg`, never through `pyplot`:
no global figure state, no display needed, and no `matplotlib.use`, which would switch the backend
of a notebook or application that imports oshs. Drawing happens inside `matplotlib.rc_context`
with the DejaVu Sans font that ships with matplotlib, mathtext off (a `$` in a GitHub string is
just a dollar sign), a fixed SVG hash salt and no date or version in the SVG or PNG metadata: the
same tables give the same bytes.

Text stays text in the SVG (`svg.fonttype: none`): a screen reader, a search or a copy finds the
labels and figures themselves, and the files are a third of the size of glyphs drawn as paths
(and quicker to write). Labels are laid out with DejaVu Sans; where it is not installed, the SVG
names Verdana (of the same wide proportions) and then any sans-serif font. The PNG twin is drawn
by Agg with DejaVu Sans itself.

Layout: a bold title that says what and when, a grey subtitle that says what is counted, then
one line per label of provenance (SAMPLE DATA; a partial collection), the plot, and a footer
naming the source. Sample data also gets a watermark across the plot, so that a cropped
screenshot still says so. `render` writes the SVG with a `<title>` and a `<desc>` stating the
figures shown (screen readers announce both) and its PNG twin.

Text from GitHub (language, licence and organisation names, topics) is made one line by
`oshs.text.shorten` and reaches the SVG only through matplotlib's writer, which escapes it;
`<title>` and `<desc>` are escaped by `oshs.text.escape_svg`.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import textwrap
from collections.abc import Mapping
from typing import Any

from matplotlib import transforms
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter
from pandas import DataFrame

from oshs.charts.chart import Chart
from oshs.errors import ChartError
from oshs.provenance import SAMPLE_LABEL, SAMPLE_WHAT, Provenance
from oshs.text import escape_svg, shorten

OTHER = "Other"
NO_LANGUAGE = "No language"

# Paul Tol's "muted" qualitative scheme (colour-blind safe), then greys for the catch-alls.
PALETTE = ("#332288", "#88CCEE", "#44AA99", "#117733", "#999933",
           "#DDCC77", "#CC6677", "#882255", "#AA4499")  # fmt: skip
BAR_COLOUR = "#336699"  # one colour for a single series: the colour carries no meaning
SPECIAL_COLOUR = "#BBBBBB"  # "No licence", "Other": greys, and hatched
OTHER_COLOUR = "#BBBBBB"
NO_LANGUAGE_COLOUR = "#EEEEEE"
# Line hatches only: dot and circle hatches cost hundreds of kilobytes of SVG paths.
HATCHES = ("", "///", "\\\\\\", "xx", "|||", "---", "++", "//", "\\\\")
OTHER_HATCH = ""
NO_LANGUAGE_HATCH = "||"
SAMPLE_COLOUR = "#A50026"  # dark red text: a warning that is also dark enough without colour
TEXT_GREY = "#444444"
GRID_GREY = "#DDDDDD"

WIDTH = 10.0  # inches
FIGSIZE = (WIDTH, 6.0)
DPI = 100
PNG_DPI = 100  # the PNG twin: as many pixels as the SVG has points (1,000 wide)
LABEL_FONTSIZE = 9.0
LABEL_MAX_CHARS = 24
NAME_LINE_CHARS = 34  # organisation names on an axis: two lines of about 30 characters
MAX_POINTS = 240  # time points per band: about 2 pt apart, finer than the eye needs
AXES_BOX = {"left": 0.08, "right": 0.76, "bottom": 0.10, "top": 0.84}
HEADER_INCHES = 0.95  # title and subtitle; each label line of provenance adds LINE_INCHES
LINE_INCHES = 0.24
SUBTITLE_CHARS = 118  # 10 pt DejaVu Sans in the 9.6 inches of a header line

RC: dict[Any, Any] = {  # matplotlib types its keys as literals
    "svg.hashsalt": "oshs",
    "svg.fonttype": "none",
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
FONT_FAMILY = b"font-family: 'DejaVu Sans'"  # as matplotlib writes it in the SVG
FONT_FALLBACK = b", 'Bitstream Vera Sans', Verdana, sans-serif"
PNG_METADATA = {"Software": None}  # no matplotlib version; PNG has no date unless given one
PNG_OPTIONS = {"compress_level": 1}  # a third quicker than the default, 3% larger


def render(
    figure: Figure, name: str, title: str, description: str, alt: str | None = None
) -> Chart:
    """Serialise `figure` as SVG (with `<title>` and `<desc>`, escaped) and as its PNG twin,
    without any timestamp or version; `alt` defaults to the description."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata=SVG_METADATA, dpi=DPI)
    svg = buffer.getvalue().replace(FONT_FAMILY, FONT_FAMILY + FONT_FALLBACK)
    root_end = svg.index(b">", svg.index(b"<svg ")) + 1
    elements = (
        f"\n <title>{escape_svg(title)}</title>\n <desc>{escape_svg(description)}</desc>"
    ).encode()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata=PNG_METADATA, dpi=PNG_DPI, pil_kwargs=PNG_OPTIONS)
    return Chart(name, title, description, svg[:root_end] + elements + svg[root_end:],
                 buffer.getvalue(), alt or description)  # fmt: skip


def label_lines(provenance: Provenance) -> list[str]:
    """The visible lines of provenance under a chart's subtitle: sample data, partial run."""
    lines = []
    if provenance.sample:
        lines.append(f"{SAMPLE_LABEL}: {SAMPLE_WHAT}, not figures from GitHub")
    if provenance.partial:
        lines.append(f"Partial collection: {provenance.coverage()}; {_missing(provenance)}")
    return lines


def _missing(provenance: Provenance) -> str:
    """What the chart shows of the organisations not collected."""
    carried, never = provenance.carried_forward(), len(provenance.not_collected)
    never -= carried
    parts = []
    if carried:
        parts.append(f"{carried:,} shown as last collected")
    if never:
        parts.append(f"{never:,} never collected, not shown")
    return ", ".join(parts)


def describe(provenance: Provenance, *sentences: str) -> str:
    """A chart's `<desc>`: the labels of provenance, then the sentences stating its figures."""
    parts = [line + "." for line in label_lines(provenance)]
    return " ".join([*parts, *sentences])


def chart_title(provenance: Provenance, title: str) -> str:
    """The `<title>` of a chart: its visible title, "SAMPLE DATA: " first for sample data."""
    return f"{SAMPLE_LABEL}: {title}" if provenance.sample else title


def wrap(text: str, width: int = SUBTITLE_CHARS) -> list[str]:
    """`text` wrapped into lines of at most `width` characters."""
    return textwrap.wrap(text, width, break_on_hyphens=False) or [""]


def header_inches(provenance: Provenance, subtitle: str) -> float:
    """Height of the header (title, subtitle lines, label lines) in inches."""
    lines = len(wrap(subtitle)) - 1 + len(label_lines(provenance))
    return HEADER_INCHES + LINE_INCHES * lines


def new_figure(
    provenance: Provenance,
    title: str,
    subtitle: str,
    *,
    height: float = 6.0,
    left: float = 0.08,
    right: float = 0.76,
    bottom: float = 0.85,
    nrows: int = 1,
    ncols: int = 1,
    share: bool = False,
    **grid: Any,
) -> tuple[Figure, Any, str]:
    """A figure on its own Agg canvas with its header drawn (`draw_header`), the axes below it
    and `bottom` inches kept free for axis labels and the footer (`share`: panels share their
    x axis); returns the figure, its axes and the chart's `<title>`."""
    figure = Figure(figsize=(WIDTH, height), dpi=DPI)
    FigureCanvasAgg(figure)
    top = 1 - (header_inches(provenance, subtitle) + 0.25) / height
    figure.subplots_adjust(left=left, right=right, bottom=bottom / height, top=top, **grid)
    if nrows * ncols > 1:
        axes = figure.subplots(nrows, ncols, squeeze=True, sharex=share)
    else:
        axes = figure.add_subplot()
    return figure, axes, draw_header(figure, provenance, title, subtitle)


def draw_header(figure: Figure, provenance: Provenance, title: str, subtitle: str) -> str:
    """Title, subtitle, label lines, footer and (for sample data) the watermark; returns the
    chart's `<title>`."""
    height = figure.get_figheight()

    def at(inches: float) -> float:
        return 1 - inches / height

    figure.text(0.02, at(0.15), title, fontsize=13, fontweight="bold", va="top")
    lines = wrap(subtitle)
    figure.text(0.02, at(0.48), "\n".join(lines), fontsize=10, color=TEXT_GREY, va="top",
                linespacing=1.45)  # fmt: skip
    first = 0.75 + LINE_INCHES * (len(lines) - 1)
    for number, line in enumerate(label_lines(provenance)):
        figure.text(0.02, at(first + LINE_INCHES * number), line, fontsize=10,
                    fontweight="bold", color=SAMPLE_COLOUR, va="top")  # fmt: skip
    figure.text(0.02, 0.12 / height, source_line(provenance), fontsize=8, color=TEXT_GREY,
                va="bottom")  # fmt: skip
    if provenance.sample:
        figure.text(0.45, 0.42, SAMPLE_LABEL, fontsize=56, fontweight="bold", color=SAMPLE_COLOUR,
                    alpha=0.08, rotation=18, ha="center", va="center", zorder=10)  # fmt: skip
    return chart_title(provenance, title)


def source_line(provenance: Provenance) -> str:
    """The footer: where the figures come from and when."""
    if provenance.sample:
        return (
            f"Source: the oshs sample (invented), served by the oshs GitHub API sandbox and "
            f"collected on {provenance.collected_on}. Not GitHub data."
        )
    return f"Source: GitHub API, collected by oshs on {provenance.collected_on}."


def panel_title(axes: Any, text: str, *, right: bool = False, **style: Any) -> None:
    """A panel's title above its top left (or right) corner: a plain text, not matplotlib's
    axes title, whose placement is recomputed from the tick labels at every draw."""
    options = {"fontsize": 10.5, "fontweight": "bold", **style}
    above = transforms.offset_copy(axes.transAxes, fig=axes.figure, y=5, units="points")
    axes.text(1.0 if right else 0.0, 1.0, text, transform=above, va="bottom",
              ha="right" if right else "left", **options)  # fmt: skip


def offset_points(axes: Any, x: float, y: float) -> Any:
    """The data transform of `axes` shifted by (`x`, `y`) points: a text at a bar's end."""
    return transforms.offset_copy(axes.transData, fig=axes.figure, x=x, y=y, units="points")


def row_labels(axes: Any, positions: Any, labels: list[str], *, bold_last: bool = False) -> None:
    """Labels of the rows of a chart left of `axes` at the y `positions` (plain texts: tick
    objects, one per row, would be drawn at a cost for nothing); no y ticks."""
    axes.set_yticks([])
    place = transforms.blended_transform_factory(axes.transAxes, axes.transData)
    shifted = transforms.offset_copy(place, fig=axes.figure, x=-4, units="points")
    for number, (y, label) in enumerate(zip(positions, labels, strict=True)):
        if not label:
            continue
        weight = "bold" if bold_last and number == len(labels) - 1 else "normal"
        axes.text(0, y, label, transform=shifted, ha="right", va="center",
                  fontsize=LABEL_FONTSIZE, fontweight=weight)  # fmt: skip


def style_axes(axes: Any, grid: str = "y") -> None:
    """No top or right spine; a light grid behind the data on `grid` ("x", "y" or "")."""
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    if grid:
        axes.grid(axis=grid, color=GRID_GREY, linewidth=0.6)
    axes.set_axisbelow(True)


THOUSANDS = FuncFormatter(lambda value, _: f"{value:,.0f}")


def spread(wanted: list[float], gap: float, low: float, high: float) -> list[float] | None:
    """Nudge label positions apart by at least `gap` within [low, high]; None if they can't fit.

    `wanted` must be in increasing order (labels of stacked bands, line ends sorted)."""
    if gap * len(wanted) > high - low:
        return None
    placed: list[float] = []
    for y in wanted:
        placed.append(max(y, low + gap / 2, placed[-1] + gap if placed else low))
    for i in range(len(placed) - 1, -1, -1):
        ceiling = high - gap / 2 if i == len(placed) - 1 else placed[i + 1] - gap
        placed[i] = min(placed[i], ceiling)
    return placed


def label_gap(axes: Any, fontsize: float = LABEL_FONTSIZE) -> float:
    """The height of one label line in data units of `axes`' y axis."""
    low, high = axes.get_ylim()
    box = axes.get_position()
    height_in = axes.figure.get_figheight() * (box.y1 - box.y0)
    return (fontsize * 1.35 / 72) / height_in * (high - low)


def label_right(axes: Any, ends: list[tuple[float, str]]) -> bool:
    """Direct labels beside the right edge of `axes`, at (y, text) each (nudged apart, with a
    leader line; a label may have two lines); False, and nothing drawn, when they cannot fit."""
    order = sorted(range(len(ends)), key=lambda i: ends[i][0])
    low, high = axes.get_ylim()
    lines = max((text.count("\n") + 1 for _, text in ends), default=1)
    placed = spread([ends[i][0] for i in order], label_gap(axes) * lines, low, high)
    if placed is None:
        return False
    for i, y in zip(order, placed, strict=True):
        axes.annotate(
            ends[i][1], xy=(1.0, ends[i][0]), xytext=(1.03, y),
            xycoords=axes.get_yaxis_transform(), textcoords=axes.get_yaxis_transform(),
            va="center", ha="left", fontsize=LABEL_FONTSIZE, annotation_clip=False,
            arrowprops={"arrowstyle": "-", "color": "#555555", "linewidth": 0.6,
                        "shrinkA": 0, "shrinkB": 2},
        )  # fmt: skip
    return True


def parse_day(value: str) -> dt.date:
    """Parse a `YYYY-MM-DD` string, or raise `ChartError` naming what was expected."""
    text = str(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    raise ChartError(f"chart date {value!r}: expected a collection date as YYYY-MM-DD")


def organisation_count(tables: Mapping[str, DataFrame]) -> int:
    """Organisations in the data: rows of `organisations`, else those owning a repository."""
    if "organisations" in tables:
        return len(tables["organisations"])
    repositories = tables["repositories"]
    return int(repositories["organisation"].nunique()) if len(repositories) else 0


def two_lines(text: str, width: int = NAME_LINE_CHARS) -> str:
    """`text` (from GitHub: made one line first) on at most two lines of about `width`
    characters, the second cut with an ellipsis when it is still too long."""
    lines = textwrap.wrap(shorten(text, 4 * width), width, break_on_hyphens=False) or [""]
    if len(lines) <= 2:
        return "\n".join(lines)
    return lines[0] + "\n" + shorten(" ".join(lines[1:]), width)


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """ "1 organisation", "2,604 repositories"."""
    return f"{count:,} {noun if count == 1 else (nouns or noun + 's')}"
