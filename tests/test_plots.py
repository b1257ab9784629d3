"""Tests of optimlib.plots: palette, contours, lines, and PNG rendering (fast path = slow path)."""

import io
import struct

import matplotlib as mpl
import numpy as np
import pytest
from PIL import Image

from optimlib import plots

OKABE_ITO = {"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00",
             "#CC79A7"}


class Bowl:
    """f(θ) = ½(θ₁² + 10 θ₂²) around (1, −1), vectorized over leading axes."""

    name = "Bowl"
    minimum = np.array([1.0, -1.0])

    def loss(self, p):
        d = np.asarray(p, float) - self.minimum
        return 0.5 * (d[..., 0] ** 2 + 10 * d[..., 1] ** 2)


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def test_palette_is_okabe_ito_and_styles_never_rely_on_colour_alone():
    assert set(PALETTE_HEX := {c.upper() for c in plots.PALETTE.values()}) == OKABE_ITO
    assert len(PALETTE_HEX) == 8
    for key in ("color", "linestyle", "marker"):
        values = [str(s[key]) for s in plots.STYLES]
        assert len(set(values)) == len(values), key
    assert plots.STYLES[0]["color"] != plots.PALETTE["yellow"]  # poor contrast on white


def test_use_style_sets_rcparams():
    with mpl.rc_context():
        plots.use_style()
        assert mpl.rcParams["axes.grid"] is True
        assert mpl.rcParams["font.size"] == plots.STYLE["font.size"]
        colors = [c["color"] for c in mpl.rcParams["axes.prop_cycle"]]
        assert colors == [s["color"] for s in plots.STYLES]


def test_figure_has_agg_canvas_and_axes():
    fig, axes = plots.figure(ncols=2, figsize=(4, 2))
    assert type(fig.canvas).__name__ == "FigureCanvasAgg"
    assert len(axes) == 2 and tuple(fig.get_size_inches()) == (4, 2)


def test_contour_log_levels_labels_title_and_minimum():
    _, ax = plots.figure()
    cs = plots.contour(ax, Bowl(), (-2, 3), (-3, 1), levels=12)
    ratios = cs.levels[1:] / cs.levels[:-1]
    assert len(cs.levels) == 12 and np.allclose(ratios, ratios[0]) and ratios[0] > 1
    assert ax.get_xlim() == (-2, 3) and ax.get_ylim() == (-3, 1)
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title() == "Bowl"
    (star,) = [ln for ln in ax.lines if ln.get_label() == "minimum"]
    assert star.get_xydata().tolist() == [[1.0, -1.0]] and star.get_marker() == "*"


def test_contour_linear_levels_no_minimum_and_nonfinite_losses():
    class Wall:  # no `minimum`, no `name`; inf and nan in part of the window
        def loss(self, p):
            return np.where(p[..., 0] > 0.5, np.inf, np.where(p[..., 1] > 0.5, np.nan,
                                                              (p ** 2).sum(-1)))

    fig, ax = plots.figure()
    cs = plots.contour(ax, Wall(), (-1, 1), (-1, 1), levels=5, log=False)
    assert np.all(np.isfinite(cs.levels)) and not ax.lines and ax.get_title() == ""
    assert plots.fig_to_png(fig)[:4] == b"\x89PNG"


def test_path_line_data_and_style():
    _, ax = plots.figure()
    path = np.array([[0.0, 0.0], [1.0, 2.0], [3.0, 1.0]])
    line = plots.path_line(ax, path, label="sgd", style=1, animated=True)
    assert np.array_equal(line.get_xydata(), path) and line.get_label() == "sgd"
    assert line.get_marker() == plots.STYLES[1]["marker"] and line.get_animated()
    assert line.get_linestyle() == plots.STYLES[1]["linestyle"]


@pytest.mark.parametrize(("log", "expected"), [(True, [1.0, np.nan, np.nan, np.nan, 0.5]),
                                               (False, [1.0, 0.0, -2.0, np.nan, 0.5])])
def test_loss_xy_makes_gaps(log, expected):
    x, y = plots.loss_xy([1.0, 0.0, -2.0, np.inf, 0.5], log=log)
    assert np.array_equal(x, np.arange(5))
    np.testing.assert_array_equal(y, expected)


def test_loss_line_log_axis_labels_and_gap_for_divergence():
    _, ax = plots.figure()
    line = plots.loss_line(ax, [1.0, 0.1, np.inf, np.nan], label="adam")
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "step" and ax.get_title()
    assert np.isnan(line.get_ydata()[2:]).all() and line.get_label() == "adam"


def test_fig_to_png_size_dpi_restored_and_quantised_is_smaller():
    fig, ax = plots.figure(figsize=(3, 2))
    plots.contour(ax, Bowl(), (-2, 3), (-3, 1))
    dpi = fig.dpi
    full, small = plots.fig_to_png(fig, dpi=50), plots.fig_to_png(fig, dpi=50, colors=16)
    assert pixels(full).shape == pixels(small).shape == (100, 150, 3)
    assert len(Image.open(io.BytesIO(small)).getcolors()) <= 16
    assert len(small) < len(full) and fig.dpi == dpi


def test_fig_to_png_draws_animated_artists():
    fig, ax = plots.figure(figsize=(2, 2))
    ax.plot([0, 1], [0.5, 0.5], color="#ff0000", lw=8, animated=True)
    red = (pixels(plots.fig_to_png(fig, dpi=40)) == [255, 0, 0]).all(-1)
    assert red.sum() > 50


def test_renderer_blit_matches_a_fresh_full_render():
    fig, (ax1, ax2) = plots.figure(ncols=2, figsize=(4, 2))
    plots.contour(ax1, Bowl(), (-2, 3), (-3, 1))
    line = plots.path_line(ax1, [[0, 0], [1, 1]], animated=True)
    curve = plots.loss_line(ax2, [1.0, 0.1], animated=True)
    ax2.set(xlim=(0, 10), ylim=(1e-3, 10))
    render = plots.PngRenderer(fig, dpi=40)
    first = render()
    for k in range(2, 5):  # only animated artists change: background reused
        line.set_data([0, k, -k], [0, 1, 0])
        curve.set_data(*plots.loss_xy(np.logspace(0, -k, 10)))
        blit = render()
        assert render.full_draws == 1
        np.testing.assert_array_equal(pixels(blit), pixels(plots.fig_to_png(fig, dpi=40)))
    assert not np.array_equal(pixels(first), pixels(blit))
    ax2.set_ylim(1e-6, 10)  # not animated: the background is redrawn
    np.testing.assert_array_equal(pixels(render()), pixels(plots.fig_to_png(fig, dpi=40)))
    assert render.full_draws == 2


def test_renderer_keeps_legends_above_animated_artists():
    fig, ax = plots.figure(figsize=(2, 2))
    ax.plot([0, 1], [0, 1], label="a long legend label")
    legend = ax.legend(loc="center", framealpha=1)
    band = ax.axhline(0.2, color="#ff0000", lw=30, animated=True)
    render = plots.PngRenderer(fig, dpi=50)
    render()
    band.set_ydata([0.5, 0.5])  # now under the legend
    img = pixels(render())
    x0, y0, x1, y1 = legend.get_window_extent().extents.astype(int)
    inside = img[img.shape[0] - y1 + 3:img.shape[0] - y0 - 3, x0 + 3:x1 - 3]
    red = (img == [255, 0, 0]).all(-1)
    assert red.sum() > 100 and not (inside == [255, 0, 0]).all(-1).any()
    assert render.full_draws == 1  # drawing the legend again did not spoil the cache
    assert not legend.get_animated()  # the user's figure is left as it was


def test_figures_display_as_png_in_a_notebook():
    """IPython shows a figure through `_repr_png_`; without it a notebook shows only text."""
    fig, ax = plots.figure(figsize=(2, 1))
    ax.plot([0, 1], [1, 0])
    dpi = fig.dpi
    png = fig._repr_png_()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (200, 100)  # 100 dpi
    assert fig.dpi == dpi  # rendering leaves the figure's own dpi alone
