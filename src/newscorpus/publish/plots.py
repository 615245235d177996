"""The datasheet's plots: SVG files that a rebuild reproduces byte for byte.

What would make two builds differ is pinned here: the backend (matplotlib's SVG canvas,
used directly, so no global backend or pyplot state is touched), the id salt of the SVG
writer (`svg.hashsalt`), the metadata (no date, no creator string carrying a version),
the font (the DejaVu Sans file bundled with matplotlib, named by path so a system copy
of another version is never picked), the size and every tick. Text is drawn as paths,
so the files look the same in every viewer.
"""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path
from typing import Any, Literal, cast

from newscorpus.publish.folder import ARTICLE_LENGTHS_FIGURE, QUOTES_PER_ARTICLE_FIGURE

FIGURE_SIZE = (6.4, 3.6)  # inches
FONT_SIZE = 9.0
BAR_COLOUR = "#4C72B0"
RC_PARAMS: dict[str, Any] = {
    "svg.hashsalt": "newscorpus",
    "svg.fonttype": "path",
    "svg.image_inline": True,
    "path.simplify": True,
    "axes.unicode_minus": False,
    "font.size": FONT_SIZE,
}
# Body lengths are counted (publish.stats) and drawn in buckets of this many characters:
# the counter's size grows with the longest article, not with the number of articles.
LENGTH_PLOT_STEP = 250
# Bars a plot draws at most: past it, values share wider bins (a 1-2-5 multiple of the
# usual one), so that drawing costs the same for an article of 8 MB or 23,000 quotes (a
# bar costs about a millisecond). Usual corpora stay below and keep one bar per value:
# bodies under 50,000 characters (BBC News: 25,450), under 100 quotations an article
# (PolNeAR: 80; the quotes plot draws every count from 0, so fewer bars there).
MAX_BARS = 200
MAX_QUOTE_BARS = 100


def _font() -> Any:
    from matplotlib import get_data_path
    from matplotlib.font_manager import FontProperties

    return FontProperties(
        fname=str(Path(get_data_path()) / "fonts/ttf/DejaVuSans.ttf"), size=FONT_SIZE
    )


def _ticks(maximum: int, count: int = 6) -> list[int]:
    """Return integer ticks 0, step, 2·step, ... covering `maximum`, step in 1-2-5 steps.

    >>> _ticks(1), _ticks(8), _ticks(3750)
    ([0, 1], [0, 2, 4, 6, 8], [0, 1000, 2000, 3000, 4000])
    """
    wanted = max(1, -(-maximum // (count - 1)))
    step = next(m * 10**e for e in range(15) for m in (1, 2, 5) if m * 10**e >= wanted)
    return list(range(0, maximum + step, step))


def _bar_svg(
    positions: list[int],
    heights: list[int],
    width: float,
    xlabel: str,
    ylabel: str,
    title: str,
    xticks: list[int],
    xlim: tuple[float, float],
    align: Literal["center", "edge"],
) -> bytes:
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    # matplotlib types rc keys as a Literal union; ours are checked at run time.
    with matplotlib.rc_context(cast(Any, RC_PARAMS)):
        figure = Figure(figsize=FIGURE_SIZE)
        FigureCanvasSVG(figure)
        axes = figure.add_subplot()
        axes.bar(positions, heights, width=width, align=align, color=BAR_COLOUR)
        axes.set_xticks(xticks)
        axes.set_yticks(_ticks(max(heights, default=0) or 1))
        axes.set_xlim(*xlim)
        axes.spines[["top", "right"]].set_visible(False)
        font = _font()
        axes.set_xlabel(xlabel, fontproperties=font)
        axes.set_ylabel(ylabel, fontproperties=font)
        axes.set_title(title, fontproperties=font, loc="left")
        for label in axes.get_xticklabels() + axes.get_yticklabels():
            label.set_fontproperties(font)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return buffer.getvalue()


def bin_width(values: int, unit: int = 1, bars: int = MAX_BARS) -> int:
    """The width of the bins that cover `values` consecutive values (each `unit` wide)
    in `bars` bars at most: `unit` itself when they fit, else the smallest 2, 5 or 10
    times a power of ten times `unit` that does.

    >>> bin_width(200), bin_width(201), bin_width(23_001), bin_width(32_768, 250)
    (1, 2, 200, 50000)
    """
    if values <= bars:
        return unit
    wanted = -(-values // bars)
    factor = next(m * 10**e for e in range(20) for m in (1, 2, 5) if m * 10**e >= wanted)
    return unit * int(factor)


def _binned(counts: Counter[int], width: int) -> Counter[int]:
    """`counts` summed into bins of `width` (keyed by their lower bound)."""
    binned: Counter[int] = Counter()
    for value, count in counts.items():
        binned[value // width * width] += count
    return binned


def article_lengths_svg(length_buckets: Counter[int], records: int) -> bytes:
    """Return the histogram of body lengths (buckets of LENGTH_PLOT_STEP characters,
    wider past MAX_BARS of them)."""
    longest = max(length_buckets, default=0) + LENGTH_PLOT_STEP
    step = bin_width(longest // LENGTH_PLOT_STEP, LENGTH_PLOT_STEP)
    if step != LENGTH_PLOT_STEP:
        length_buckets = _binned(length_buckets, step)
    xticks = _ticks(longest)
    positions = sorted(length_buckets)
    return _bar_svg(
        positions,
        [length_buckets[p] for p in positions],
        step * 0.9,
        f"body length (characters, bins of {step})",
        "articles",
        f"Body length of the {records} published articles",
        xticks,
        (xticks[0], xticks[-1]),
        "edge",
    )


def quotes_per_article_svg(quote_counts: Counter[int], records: int) -> bytes:
    """Return the bar chart of how many articles have 0, 1, 2, ... quotations (bins of
    several counts past MAX_QUOTE_BARS of them)."""
    most = max(quote_counts, default=0)
    width = bin_width(most + 1, bars=MAX_QUOTE_BARS)
    if width == 1:
        positions = list(range(most + 1))
        return _bar_svg(
            positions,
            [quote_counts[p] for p in positions],
            0.8,
            "quotations in the article",
            "articles",
            f"Quotations per article ({records} articles)",
            [tick for tick in _ticks(most) if tick <= most],
            (-0.6, most + 0.6),
            "center",
        )
    # Bins [k·width, (k+1)·width), drawn from their lower edge like the length plot; only
    # bins that hold an article are drawn.
    binned = _binned(quote_counts, width)
    positions = sorted(binned)
    xticks = _ticks(most + 1)
    return _bar_svg(
        positions,
        [binned[p] for p in positions],
        width * 0.9,
        f"quotations in the article (bins of {width})",
        "articles",
        f"Quotations per article ({records} articles)",
        xticks,
        (xticks[0], xticks[-1]),
        "edge",
    )


def write_plots(
    folder: Path, length_buckets: Counter[int], quote_counts: Counter[int]
) -> list[str]:
    """Write the plots under `folder`; return their paths relative to it, sorted."""
    records = sum(quote_counts.values())
    outputs = {
        ARTICLE_LENGTHS_FIGURE: article_lengths_svg(length_buckets, records),
        QUOTES_PER_ARTICLE_FIGURE: quotes_per_article_svg(quote_counts, records),
    }
    for name, data in outputs.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return sorted(outputs)
