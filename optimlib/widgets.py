"""Explorers: sliders that change a figure, with a kernel (live) or without one (static).

Both take a pre-made figure and an `update(**values)` that changes its artists (never
rebuilds the figure). Mark the artists that `update` changes with `animated=True` and keep
the axis limits fixed: then each render only redraws those artists over a cached
background (see `plots.PngRenderer`), which keeps a live update well under 50 ms.
"""

import base64
import html
import itertools
import struct
from collections.abc import Callable, Mapping, Sequence

import ipywidgets as W
from ipywidgets.widgets.widget_string import HTMLStyle

from optimlib.plots import PngRenderer


def img_tag(png: bytes, alt: str) -> str:
    """An `<img>` holding the PNG as a data URI, with its pixel size and (escaped) alt text.

    Example:
        >>> from optimlib.plots import figure, fig_to_png
        >>> png = fig_to_png(figure(figsize=(2, 1))[0], dpi=50)
        >>> img_tag(png, 'a "bowl"').endswith('width="100" height="50" alt="a &quot;bowl&quot;">')
        True
    """
    src = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    width, height = struct.unpack(">II", png[16:24])  # from the PNG's IHDR chunk
    return (f'<img src="{src}" style="max-width: 100%; height: auto" width="{width}" '
            f'height="{height}" alt="{html.escape(alt)}">')


def _label(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def static_explorer(fig, update: Callable[..., None], params: Mapping[str, Sequence], *,
                    alt: Callable[..., str], fmt: Callable[..., str] | None = None,
                    dpi: float = 70, colors: int | None = 64,
                    description: Mapping[str, str] | None = None,
                    initial: Mapping | None = None) -> W.VBox:
    """A kernel-free explorer: one pre-rendered frame per slider position, switched in JS.

    Every combination of values is rendered once (`update(**values)` then a PNG) into an
    `HTML` frame with alt text. Frames sit in a `Stack` whose `selected_index` is
    `jslink`ed to a `SelectionSlider`'s `index`; with two parameters, an outer Stack of
    inner Stacks (slider 1 -> outer, slider 2 -> every inner). The published page needs
    no Python to switch pictures.

    Args:
        fig: the figure that `update` changes.
        update: `update(**values)` sets the figure's artists for these values.
        params: one or two `name -> values` entries, e.g. `{"lr": [0.01, 0.1]}`.
        alt: `alt(**values) -> str`, the alt text describing each frame.
        fmt: `fmt(value) -> str` for slider labels (default: `f"{v:g}"` for floats).
        dpi, colors: frame resolution and palette size (see `plots.PngRenderer`).
        description: slider labels by parameter name (default: the names).
        initial: starting value by parameter name (default: the first value).
    Returns:
        A `VBox` (class "optimlib-static-explorer") of sliders and frames, with attributes
        `sliders`, `stack`, `links` and `frames` (dict: tuple of values -> `HTML`).
    Example:
        >>> from optimlib.plots import figure
        >>> fig, ax = figure(); line = ax.plot([0, 1], [0, 0], animated=True)[0]
        >>> box = static_explorer(fig, lambda a: line.set_ydata([0, a]), {"a": [1.0, 2.0]},
        ...                       alt=lambda a: f"a line of slope {a}")
        >>> len(box.frames), box.sliders[0].label
        (2, '1')
    """
    names, fmt = list(params), fmt or _label
    if not 1 <= len(names) <= 2:
        raise ValueError(f"params must have one or two entries, got {len(names)}")
    values = [list(params[n]) for n in names]
    sliders = []
    for name, vals in zip(names, values, strict=True):
        labels = [fmt(v) for v in vals]
        if not vals or len(set(labels)) < len(labels):
            raise ValueError(f"{name} needs distinct, non-empty slider labels, got {labels}")
        if initial and name in initial and initial[name] not in vals:
            raise ValueError(f"initial {name} must be one of {labels}, got {initial[name]}")
        start = vals.index(initial[name]) if initial and name in initial else 0
        slider = W.SelectionSlider(
            options=list(zip(labels, vals, strict=True)), index=start,
            description=(description or {}).get(name, name),
            style={"description_width": "initial"})
        sliders.append(slider.add_class("optimlib-slider"))
    render = PngRenderer(fig, dpi, colors)
    layout, style = W.Layout(), HTMLStyle()  # shared: 2 models instead of 2 per frame
    frames = {}
    for combo in itertools.product(*values):
        kw = dict(zip(names, combo, strict=True))
        update(**kw)
        frames[combo] = W.HTML(img_tag(render(), alt(**kw)), layout=layout, style=style)
        frames[combo].add_class("optimlib-frame")

    def stack(children, index):
        return W.Stack(children, selected_index=index).add_class("optimlib-stack")

    if len(names) == 1:
        outer = stack(list(frames.values()), sliders[0].index)
        inner = []
    else:
        inner = [stack([frames[a, b] for b in values[1]], sliders[1].index) for a in values[0]]
        outer = stack(inner, sliders[0].index)
    links = [W.jslink((sliders[0], "index"), (outer, "selected_index"))]
    links += [W.jslink((sliders[1], "index"), (s, "selected_index")) for s in inner]
    box = W.VBox([*sliders, outer]).add_class("optimlib-static-explorer")
    box.sliders, box.stack, box.links, box.frames = sliders, outer, links, frames
    return box


def live_explorer(fig, update: Callable[..., None], sliders: Mapping[str, W.ValueWidget], *,
                  alt: Callable[..., str] | None = None, dpi: float = 70) -> W.VBox:
    """A live explorer for a running kernel: each slider change updates and re-renders.

    Args:
        fig: the figure that `update` changes.
        update: `update(**values)` sets the figure's artists for the sliders' values.
        sliders: `name -> widget` with a `.value` (FloatSlider, Dropdown, ...); a widget
            without a description is labelled with its name.
        alt: `alt(**values) -> str` (default: "Figure for name = value, ...").
        dpi: image resolution.
    Returns:
        A `VBox` (class "optimlib-live-explorer") with attributes `render(**values) ->
        bytes` (update + PNG, for headless benchmarks), `renderer` and `image` (`HTML`).
    Example:
        >>> from optimlib.plots import figure
        >>> fig, ax = figure(); line = ax.plot([0, 1], [0, 0], animated=True)[0]
        >>> box = live_explorer(fig, lambda a: line.set_ydata([0, a]),
        ...                     {"a": W.FloatSlider(1.0, min=0, max=2)})
        >>> box.render(a=2.0)[:4]
        b'\\x89PNG'
    """
    alt = alt or (lambda **v: "Figure for " + ", ".join(f"{k} = {x}" for k, x in v.items()))
    renderer, image = PngRenderer(fig, dpi), W.HTML().add_class("optimlib-frame")

    def render(**values) -> bytes:
        update(**values)
        return renderer()

    def refresh(change=None) -> None:
        values = {name: s.value for name, s in sliders.items()}
        image.value = img_tag(render(**values), alt(**values))

    for name, s in sliders.items():
        if not s.description:  # an unlabelled slider: say which parameter it sets
            s.description = name
        s.observe(refresh, names="value")
    refresh()
    box = W.VBox([*sliders.values(), image]).add_class("optimlib-live-explorer")
    box.render, box.renderer, box.image = render, renderer, image
    return box
