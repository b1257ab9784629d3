"""Tests of optimlib.widgets: the frames, the jslink wiring (followed as the browser would),
the serialised widget state, the live callback, and a real notebook execution."""

import base64
import io
import json
import re
import sys

import ipywidgets as W
import numpy as np
import pytest
from ipywidgets.embed import dependency_state
from PIL import Image

from optimlib import plots, widgets

A, B = [0.5, 1.0, 2.0], [-1.0, 0.0, 1.0, 2.0]


def make_figure():
    """A tiny figure (with a legend) whose animated line is y = a·x + b."""
    fig, ax = plots.figure(figsize=(3, 2))
    x = np.linspace(-1, 1, 20)
    line = plots.path_line(ax, np.c_[x, x], label="line", animated=True)
    ax.set(xlim=(-1, 1), ylim=(-4, 4), title="A line", xlabel="x", ylabel="y")
    ax.legend(loc="upper left")

    def update(a, b=0.0):
        line.set_ydata(a * x + b)

    return fig, update


def alt(a, b=None):
    return f"Line with slope {a}" + ("" if b is None else f" and intercept {b}")


def frame_png(frame: W.HTML) -> bytes:
    return base64.b64decode(re.search(r'base64,([^"]+)"', frame.value).group(1))


def rgb(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def frame_alt(frame: W.HTML) -> str:
    return re.search(r'alt="([^"]*)"', frame.value).group(1)


def follow_links(box):
    """Do what the browser's LinkModels do: copy each source trait to its target."""
    for link in box.links:
        (src, src_attr), (dst, dst_attr) = link.source, link.target
        setattr(dst, dst_attr, getattr(src, src_attr))


def visible_frame(box) -> W.HTML:
    w = box.stack
    while isinstance(w, W.Stack):
        w = w.children[w.selected_index]
    return w


def test_img_tag_escapes_alt_gives_size_and_round_trips_png():
    png = plots.fig_to_png(plots.figure(figsize=(3, 2))[0], dpi=30)
    tag = widgets.img_tag(png, 'a <b> & "c"')
    assert 'alt="a &lt;b&gt; &amp; &quot;c&quot;"' in tag
    assert 'width="90" height="60"' in tag
    assert base64.b64decode(re.search(r"base64,([^\"]+)", tag).group(1)) == png


def test_one_parameter_explorer_structure_and_frames():
    fig, update = make_figure()
    box = widgets.static_explorer(fig, update, {"a": A}, alt=alt, dpi=40,
                                  description={"a": "slope a"}, initial={"a": 1.0})
    (slider,) = box.sliders
    assert slider.description == "slope a" and slider.index == 1 and slider.value == 1.0
    assert [label for label, _ in slider.options] == ["0.5", "1", "2"]
    assert list(box.stack.children) == [box.frames[(a,)] for a in A]
    assert box.stack.selected_index == 1
    (link,) = box.links
    assert link.source == (slider, "index") and link.target == (box.stack, "selected_index")
    assert "optimlib-static-explorer" in box._dom_classes
    assert "optimlib-slider" in slider._dom_classes
    for a in A:  # each frame is a render of the figure after update(a), with its alt text
        update(a)
        frame = box.frames[(a,)]
        assert frame_alt(frame) == alt(a) and "optimlib-frame" in frame._dom_classes
        expected = plots.fig_to_png(fig, dpi=40, colors=64)
        assert np.array_equal(rgb(frame_png(frame)), rgb(expected))
    assert len({frame_png(f) for f in box.frames.values()}) == len(A)


def test_two_parameter_explorer_sliders_select_the_right_frame():
    fig, update = make_figure()
    box = widgets.static_explorer(fig, update, {"a": A, "b": B}, alt=alt, dpi=30,
                                  fmt=lambda v: f"{v:+.1f}", initial={"a": 2.0, "b": 1.0})
    assert visible_frame(box) is box.frames[(2.0, 1.0)]  # before any link has run
    assert [len(s.children) for s in box.stack.children] == [len(B)] * len(A)
    assert len(box.links) == 1 + len(A) and box.sliders[1].label == "+1.0"
    assert [label for label, _ in box.sliders[1].options] == ["-1.0", "+0.0", "+1.0", "+2.0"]
    for i, a in enumerate(A):
        for j, b in enumerate(B):
            box.sliders[0].index, box.sliders[1].index = i, j
            follow_links(box)
            assert visible_frame(box) is box.frames[(a, b)]
            assert frame_alt(visible_frame(box)) == alt(a, b)
    assert len({frame_png(f) for f in box.frames.values()}) == len(A) * len(B)


def test_explorer_state_serialises_with_links_and_shared_layout():
    fig, update = make_figure()
    box = widgets.static_explorer(fig, update, {"a": A, "b": B}, alt=alt, dpi=30)
    state = dependency_state(box, drop_defaults=False)
    names = [m["model_name"] for m in state.values()]
    assert names.count("LinkModel") == 1 + len(A)
    assert names.count("StackModel") == 1 + len(A)
    assert names.count("HTMLModel") == len(A) * len(B)
    assert names.count("HTMLStyleModel") == 1  # one style shared by every frame
    size = len(json.dumps(state))
    frames = sum(len(f.value) for f in box.frames.values())
    assert frames < size < frames + 40_000  # the pictures, plus ~1 KB per model


@pytest.mark.parametrize(("params", "kw", "match"), [
    ({}, {}, "one or two"),
    ({"a": A, "b": B, "c": A}, {}, "one or two"),
    ({"a": []}, {}, "a needs distinct"),
    ({"a": [0.1, 0.1000001]}, {}, "a needs distinct"),
    ({"a": A}, {"initial": {"a": 3.0}}, "initial a"),
])
def test_static_explorer_rejects_bad_params(params, kw, match):
    fig, update = make_figure()
    with pytest.raises(ValueError, match=match):
        widgets.static_explorer(fig, update, params, alt=alt, dpi=20, **kw)


def test_live_explorer_updates_image_on_slider_change_without_full_redraw():
    fig, update = make_figure()
    slope, icpt = W.FloatSlider(1.0, min=0, max=2), W.FloatSlider(0.0, min=-1, max=1)
    box = widgets.live_explorer(fig, update, {"a": slope, "b": icpt}, alt=alt, dpi=40)
    assert "optimlib-live-explorer" in box._dom_classes
    assert frame_alt(box.image) == alt(1.0, 0.0)
    before = box.image.value
    slope.value = 2.0
    assert box.image.value != before and frame_alt(box.image) == alt(2.0, 0.0)
    icpt.value = 0.5
    png = frame_png(box.image)
    assert png == box.render(a=2.0, b=0.5) and box.renderer.full_draws == 1
    assert box.render(a=0.5, b=0.5) != png
    assert (slope.description, icpt.description) == ("a", "b")  # unlabelled: named


def test_live_explorer_keeps_a_slider_description_it_was_given():
    fig, update = make_figure()
    slope = W.FloatSlider(1.0, min=0, max=2, description="slope η")
    widgets.live_explorer(fig, update, {"a": slope, "b": W.FloatSlider(0.0)}, dpi=40)
    assert slope.description == "slope η"


def test_static_explorer_state_survives_notebook_execution(tmp_path, monkeypatch):
    """Run a real kernel as the book build does; the widget state must hold the explorer."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    spec = tmp_path / "kernels" / "this-python" / "kernel.json"  # this interpreter's kernel
    spec.parent.mkdir(parents=True)
    spec.write_text(json.dumps({"argv": [sys.executable, "-m", "ipykernel_launcher", "-f",
                                         "{connection_file}"], "language": "python",
                                "display_name": "this python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    code = (
        "import numpy as np\nfrom optimlib import plots\n"
        "from optimlib.widgets import static_explorer\n"
        "fig, ax = plots.figure(figsize=(2, 1.5))\n"
        "line = ax.plot([0, 1], [0, 1], animated=True)[0]\n"
        "static_explorer(fig, lambda a, b: line.set_ydata([b, a + b]),\n"
        "                {'a': [1.0, 2.0], 'b': [0.0, 1.0, 2.0]}, alt=lambda a, b: f'{a} {b}')"
    )
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    nbclient.NotebookClient(nb, timeout=60, kernel_name="this-python", store_widget_state=True,
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    names = [m["model_name"] for m in state.values()]
    assert names.count("LinkModel") == 3 and names.count("StackModel") == 3
    assert names.count("HTMLModel") == 6
    (out,) = nb.cells[0].outputs
    root = out["data"]["application/vnd.jupyter.widget-view+json"]["model_id"]
    assert state[root]["state"]["_dom_classes"] == ["optimlib-static-explorer"]
    for link in (m["state"] for m in state.values() if m["model_name"] == "LinkModel"):
        src, dst = (ref.removeprefix("IPY_MODEL_") for ref in (link["source"][0],
                                                                link["target"][0]))
        assert state[src]["model_name"] == "SelectionSliderModel"
        assert state[dst]["model_name"] == "StackModel"
