"""tools/course_html.py: a page keeps only the widget models it shows."""

import importlib.util
import json
from pathlib import Path

spec = importlib.util.spec_from_file_location(
    "course_html", Path(__file__).resolve().parents[1] / "tools" / "course_html.py")
course_html = importlib.util.module_from_spec(spec)
spec.loader.exec_module(course_html)


def model(name, *refs):
    return {"model_name": name, "state": {"children": [f"IPY_MODEL_{r}" for r in refs]}}


def test_a_page_keeps_the_models_connected_to_its_views_and_drops_the_rest():
    state = {"version_major": 2, "version_minor": 0, "state": {
        "a1": model("VBoxModel", "a2", "a3"), "a2": model("IntSliderModel", "a4"),
        "a3": model("HTMLModel"), "a4": model("LayoutModel"),
        "a5": model("LinkModel", "a2", "a3"),  # a jslink: nothing refers to it
        "b1": model("VBoxModel", "b2"), "b2": model("HTMLModel"),  # a removed explorer
    }}
    body = ('<script type="application/vnd.jupyter.widget-view+json">'
            '{"version_major": 2, "version_minor": 0, "model_id": "a1"}</script>')
    assert set(course_html._shown_models(state, body)) == {"a1", "a2", "a3", "a4", "a5"}
    assert course_html._shown_models(state, "<p>no widget here</p>") == {}


def test_the_pruned_state_stays_safe_inside_a_script_tag():
    class Asset:
        def __init__(self, filename, priority=500, **attributes):
            self.filename, self.priority, self.attributes = filename, priority, attributes

    state = {"state": {"c1": {"model_name": "HTMLModel",
                              "state": {"value": "<script>x</script>"}}}}
    body = '<script type="application/vnd.jupyter.widget-view+json">{"model_id": "c1"}'
    asset = Asset(None, priority=200, type=course_html.WIDGET_STATE, body=json.dumps(state))
    pruned = course_html._prune_widget_state(asset, body)
    assert "</script>" not in pruned.attributes["body"] and pruned.priority == 200
    assert json.loads(pruned.attributes["body"]) == state
