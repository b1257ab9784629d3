"""Plotting helpers shared by the chapters: palette, style, contours, paths, losses, PNGs.

Figures are plain `matplotlib.figure.Figure` objects on an Agg canvas (no pyplot state),
so they render headless and fast. Colour is never the only carrier of meaning: the i-th
series of a figure gets ``STYLES[i]``, a colour *and* a line style *and* a marker.
"""

import io
import struct
import zlib

import matplotlib as mpl
import numpy as np
from cycler import cycler
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from PIL import Image

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common form
# of colour blindness. Yellow is last: it has too little contrast on white for thin lines.
PALETTE = {
    "blue": "#0072B2", "vermillion": "#D55E00", "green": "#009E73", "purple": "#CC79A7",
    "orange": "#E69F00", "skyblue": "#56B4E9", "black": "#000000", "yellow": "#F0E442",
}
LINESTYLES = ["-", "--", ":", "-.", (0, (5, 1)), (0, (3, 1, 1, 1)), (0, (8, 2, 1, 2))]
STYLES = [dict(color=c, linestyle=ls, marker=m)
          for c, ls, m in zip(list(PALETTE.values())[:7], LINESTYLES, "osD^vPX", strict=True)]
STYLE = {
    "font.size": 10, "axes.titlesize": 10, "axes.labelsize": 10, "legend.fontsize": 9,
    "xtick.labelsize": 9, "ytick.labelsize": 9, "axes.grid": True, "grid.alpha": 0.3,
    "lines.linewidth": 1.5, "lines.markersize": 3, "figure.constrained_layout.use": True,
    "axes.prop_cycle": cycler(color=[s["color"] for s in STYLES],
                              linestyle=[s["linestyle"] for s in STYLES]),
}
# Low loss is white, high loss light grey: every palette colour stays readable on top.
CONTOUR_CMAP = LinearSegmentedColormap.from_list("optimlib_greys", ["#ffffff", "#b8b8b8"])


def use_style() -> None:
    """Apply the course style (small fonts, grid, constrained layout, palette) to rcParams.

    Example:
        >>> use_style(); mpl.rcParams["axes.grid"]
        True
    """
    mpl.rcParams.update(STYLE)


class NotebookFigure(Figure):
    """A Figure that shows itself in a notebook as a PNG, with no pyplot backend needed."""

    def _repr_png_(self) -> bytes:
        return fig_to_png(self, dpi=100)


def figure(ncols: int = 1, nrows: int = 1, figsize: tuple[float, float] = (7, 3), **kw):
    """A new Figure with an Agg canvas and its axes (no pyplot global state).

    The figure displays itself in a notebook (`display(fig)`, or `fig` as a cell's last line)
    as a 100-dpi PNG.

    Args:
        ncols, nrows: grid of axes, as in `Figure.subplots`.
        figsize: size in inches.
        **kw: passed on to `Figure.subplots`.
    Returns:
        `(fig, axes)`; axes is one Axes or an array of them.
    Example:
        >>> fig, (ax1, ax2) = figure(ncols=2)
    """
    fig = NotebookFigure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    return fig, fig.subplots(nrows, ncols, **kw)


def contour(ax, problem, xlim, ylim, levels: int = 15, log: bool = True, n: int = 150):
    """Draw filled and line contours of a 2-D `problem.loss` and mark `problem.minimum`.

    Args:
        ax: the Axes to draw on.
        problem: any object with a vectorized `loss(params)`, params of shape (..., 2);
            optional attributes `minimum` (shape (2,) or (k, 2), or None) and `name`.
        xlim, ylim: (low, high) of the plotted window.
        levels: number of contour levels.
        log: space the levels logarithmically in f − min f (ravines need this).
        n: grid points per axis.
    Returns:
        The filled `ContourSet`.
    Example:
        >>> class Bowl:
        ...     def loss(self, p): return (p ** 2).sum(-1)
        >>> fig, ax = figure(); cs = contour(ax, Bowl(), (-1, 1), (-1, 1))
    """
    X, Y = np.meshgrid(np.linspace(*xlim, n), np.linspace(*ylim, n))
    with np.errstate(all="ignore"):
        Z = np.ma.masked_invalid(np.asarray(problem.loss(np.stack([X, Y], -1)), float))
    if log and Z.max() > Z.min():  # f − min f: same level sets, positive range
        Z = Z - Z.min()
        levels = np.geomspace(np.percentile(Z[Z > 0].compressed(), 1), Z.max(), levels)
    filled = ax.contourf(X, Y, Z, levels=levels, cmap=CONTOUR_CMAP, extend="both")
    ax.contour(X, Y, Z, levels=filled.levels, colors="0.6", linewidths=0.5)
    minimum = getattr(problem, "minimum", None)
    if minimum is not None:
        m = np.atleast_2d(minimum)
        ax.plot(m[:, 0], m[:, 1], ls="none", marker="*", ms=10, color=PALETTE["black"],
                label="minimum")
    ax.set(xlim=xlim, ylim=ylim, xlabel=r"$\theta_1$", ylabel=r"$\theta_2$")
    if not ax.get_title() and getattr(problem, "name", None):
        ax.set_title(problem.name)
    return filled


def path_line(ax, path, label: str | None = None, style: int = 0, **kw):
    """Plot a 2-D parameter path with a marker at every iterate.

    Update it later with `line.set_data(*np.asarray(path).T)`.

    Args:
        ax: the Axes.
        path: array of shape (steps + 1, 2), e.g. `run(...).params` on a 2-D problem.
        label: legend label.
        style: index into `STYLES` (colour, line style, marker).
        **kw: any `Line2D` property, e.g. `animated=True` for fast live explorers.
    Returns:
        The `Line2D`.
    Example:
        >>> fig, ax = figure(); line = path_line(ax, [[0, 0], [1, 1]], label="sgd")
    """
    path = np.asarray(path, float).reshape(-1, 2)
    kw = {**STYLES[style % len(STYLES)], "markersize": 2.5, "linewidth": 1.0, **kw}
    return ax.plot(path[:, 0], path[:, 1], label=label, **kw)[0]


def loss_xy(losses, log: bool = True):
    """Steps and losses ready to plot: non-finite (and, if `log`, non-positive) -> NaN gaps.

    Args:
        losses: shape (steps + 1,).
        log: also hide losses <= 0, which a log axis cannot show.
    Returns:
        `(steps, losses)`, two float arrays for `Line2D.set_data`.
    Example:
        >>> loss_xy([1.0, 0.5, np.inf])[1]
        array([1. , 0.5, nan])
    """
    y = np.array(losses, dtype=float).reshape(-1)
    y[~np.isfinite(y) | ((y <= 0) if log else False)] = np.nan
    return np.arange(y.size), y


def loss_line(ax, losses, label: str | None = None, style: int = 0, log: bool = True, **kw):
    """Plot a 1-D loss curve against the step (log-y by default; diverged steps leave a gap).

    Update it later with `line.set_data(*loss_xy(losses))`.

    Args:
        ax: the Axes.
        losses: shape (steps + 1,), e.g. `run(...).losses`; inf/NaN are not drawn.
        label, style, **kw: as in `path_line` (but ~8 markers, staggered by style).
        log: log-scale the y axis.
    Returns:
        The `Line2D`.
    Example:
        >>> fig, ax = figure(); line = loss_line(ax, [1.0, 0.1, 0.01])
    """
    x, y = loss_xy(losses, log)
    every = max(1, x.size // 8)
    kw = {**STYLES[style % len(STYLES)], "markevery": (style * every // len(STYLES), every),
          "markersize": 4, **kw}
    line = ax.plot(x, y, label=label, **kw)[0]
    ax.set_yscale("log" if log else "linear")
    ax.set(xlabel=ax.get_xlabel() or "step", ylabel=ax.get_ylabel() or "loss",
           title=ax.get_title() or "Loss per step")
    return line


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def rgb_png(rgba, level: int = 1) -> bytes:
    """Encode an (height, width, 4) uint8 RGBA image as an RGB PNG, directly with zlib.

    Every row uses PNG's "None" filter. A figure is mostly flat colour, which zlib packs
    well as it is; Pillow tries all five filters on every row, which takes twice as long
    for a file of about the same size. Speed matters here: a live explorer encodes a PNG
    on every slider move.

    Args:
        rgba: the pixels, e.g. `np.asarray(canvas.buffer_rgba())` (alpha is dropped).
        level: zlib compression level, 1 (fastest) to 9 (smallest).
    Returns:
        The PNG file contents (8-bit RGB, no interlace).
    Example:
        >>> rgb_png(np.zeros((2, 3, 4), np.uint8))[12:24]  # IHDR: width 3, height 2
        b'IHDR\\x00\\x00\\x00\\x03\\x00\\x00\\x00\\x02'
    """
    height, width = rgba.shape[:2]
    rows = np.zeros((height, 1 + 3 * width), np.uint8)  # filter byte 0, then R G B R G B ...
    rows[:, 1:] = np.asarray(rgba)[..., :3].reshape(height, 3 * width)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(rows, level)) + _chunk(b"IEND", b""))


class PngRenderer:
    """Render one figure to PNG again and again, fast: the static layer is drawn once.

    Artists marked `animated=True` (the ones `update` functions change) are drawn over a
    cached background (matplotlib's blitting); cached legends are pasted on top. The
    background is redrawn only when the figure is stale, i.e. when something not
    animated changed (axis limits, a title...).

    Args:
        fig: the Figure; its dpi is set to `dpi`.
        dpi: resolution.
        colors: if set, quantise to this many colours (PIL, no dithering): ~3× smaller.
    Returns:
        A callable `renderer() -> bytes` (PNG); `renderer.full_draws` counts full redraws.
    Example:
        >>> fig, ax = figure(); line = ax.plot([0, 1], animated=True)[0]
        >>> render = PngRenderer(fig); png = render(); line.set_ydata([1, 0]); png = render()
        >>> render.full_draws
        1
    """

    def __init__(self, fig, dpi: float = 70, colors: int | None = None):
        if not isinstance(fig.canvas, FigureCanvasAgg):
            FigureCanvasAgg(fig)
        if fig.dpi != dpi:  # set_dpi makes the figure stale
            fig.set_dpi(dpi)
        self.fig, self.colors, self.background, self.full_draws = fig, colors, None, 0

    def __call__(self) -> bytes:
        fig, canvas = self.fig, self.fig.canvas
        if self.background is None or fig.stale:
            animated = sorted(fig.findobj(lambda a: a.get_animated()), key=Artist.get_zorder)
            legends = [legend for legend in fig.legends + [ax.get_legend() for ax in fig.axes]
                       if legend is not None and animated]
            for legend in legends:  # keep legends out of the background...
                legend.set_animated(True)
            canvas.draw()  # skips animated artists
            self.background = canvas.copy_from_bbox(fig.bbox)
            for legend in legends:  # ...and keep their pixels, to paste over the lines
                legend.set_animated(False)
                fig.draw_artist(legend)
            self.legends = [canvas.copy_from_bbox(legend.get_window_extent().padded(1))
                            for legend in legends]
            self.animated = animated
            self.full_draws += 1
        canvas.restore_region(self.background)
        for artist in self.animated:
            fig.draw_artist(artist)
        for region in self.legends:
            canvas.restore_region(region)
        fig.stale = False  # drawing a legend marks its frame stale; the picture is up to date
        if not self.colors:
            return rgb_png(np.asarray(canvas.buffer_rgba()))  # speed over size
        img = Image.fromarray(np.asarray(canvas.buffer_rgba())).convert("RGB")
        img = img.quantize(self.colors, dither=Image.Dither.NONE)
        out = io.BytesIO()
        img.save(out, format="png", optimize=True)
        return out.getvalue()


def fig_to_png(fig, dpi: float = 70, colors: int | None = None) -> bytes:
    """Render a figure once to PNG bytes with Agg, optionally quantised to a small palette.

    Args:
        fig: a matplotlib Figure (animated artists are drawn too).
        dpi: resolution; 70 dpi gives a 490-pixel-wide image for a 7-inch figure.
        colors: if set, quantise to this many colours (PIL, no dithering): ~3× smaller.
    Returns:
        The PNG file contents.
    Example:
        >>> fig, ax = figure(); fig_to_png(fig, colors=32)[:4]
        b'\\x89PNG'
    """
    old = fig.dpi
    try:
        return PngRenderer(fig, dpi, colors)()
    finally:
        if fig.dpi != old:
            fig.set_dpi(old)
