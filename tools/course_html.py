"""The course's own Sphinx extension: three fixes to the scripts of the HTML pages.

All were found by the browser tests (tests/site), which fail on any console error.

1. Sphinx 7.4 writes an inline script twice when an extension adds it after the builder
   started: once as added (file name None) and once more, re-read from the registry, with
   file name "". sphinx-thebe's `const THEBE_JS_URL = ...` is such a script, so every page
   threw "Identifier 'THEBE_JS_URL' has already been declared". Repeats are dropped here.
2. Jupyter Book always loads sphinx-thebe, which puts its configuration (naming a CDN
   URL), script and stylesheet on every page even though the launch buttons offer no
   thebe (`launch_buttons.thebe: false` in _config.yml). Nothing on the page uses them, so
   they are dropped when thebe is off.
3. The widgets HTML manager (1.0.x) typesets every widget label with MathJax 2's
   `MathJax.Hub.Queue`; the site runs MathJax 3, which has no `Hub`, so every page with
   a labelled widget threw "Cannot read properties of undefined (reading 'Queue')".
   Pages with saved widget state get a few lines that hand that call to MathJax 3.
4. A notebook saves the state of every widget it made, including those of cells removed
   from the page (the live explorers, tagged remove-cell). Each page keeps only the
   widget models connected, through their references, to a widget view on the page; the
   rest (a live explorer's first picture, its sliders) would be dead weight.

_config.yml loads this file with `sphinx: local_extensions`.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

THEBE_FILES = ("sphinx-thebe.js", "sphinx-thebe.css")
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"

# Runs before the widgets render (they wait for the window's load event) and after MathJax
# 3 has replaced its configuration object `window.MathJax` (its script is deferred).
MATHJAX2_QUEUE = """\
document.addEventListener("DOMContentLoaded", () => {
  const mj = window.MathJax;  // tools/course_html.py: MathJax 2's Hub.Queue for widgets
  if (!mj || !mj.startup || mj.Hub) return;
  mj.Hub = { Queue: (...calls) => calls.forEach(([command, , element]) => {
    if (command === "Typeset" && element) {  // one typesetting at a time, as MathJax 3 asks
      mj.startup.promise = mj.startup.promise.then(() => mj.typesetPromise([element]));
    }
  }) };
});"""


def _filename(asset: Any) -> str:
    return str(getattr(asset, "filename", asset) or "")


def _key(asset: Any) -> tuple:
    attributes = getattr(asset, "attributes", {})
    return _filename(asset), getattr(asset, "priority", None), tuple(sorted(attributes.items()))


def _is_thebe(asset: Any) -> bool:
    body = getattr(asset, "attributes", {}).get("body", "")
    return _filename(asset).endswith(THEBE_FILES) or "THEBE_JS_URL" in body


def _thebe_enabled(app) -> bool:
    launch_buttons = app.config.html_theme_options.get("launch_buttons", {})
    return bool(launch_buttons.get("thebe", False))


def _has_widgets(context: dict) -> bool:
    return any(getattr(asset, "attributes", {}).get("type") == WIDGET_STATE
               for asset in context.get("script_files", ()))


def _shown_models(state: dict, body: str) -> dict:
    """The models of ``state`` connected by references to a widget view in ``body``."""
    models = state["state"]
    links: dict[str, set[str]] = {key: set() for key in models}
    for key, model in models.items():
        for other in re.findall(r"IPY_MODEL_([0-9a-f]+)", json.dumps(model)):
            if other in links:  # both ways: a jslink refers to the sliders it links
                links[key].add(other)
                links[other].add(key)
    shown = set(re.findall(r'widget-view\+json">\{[^}]*"model_id": "([0-9a-f]+)"', body))
    todo, kept = [key for key in shown if key in models], set()
    while todo:
        key = todo.pop()
        if key not in kept:
            kept.add(key)
            todo.extend(links[key])
    return {key: model for key, model in models.items() if key in kept}


def _prune_widget_state(asset: Any, body: str) -> Any:
    attributes = getattr(asset, "attributes", {})
    if attributes.get("type") != WIDGET_STATE:
        return asset
    state = json.loads(attributes["body"])
    state["state"] = _shown_models(state, body)
    text = json.dumps(state).replace("</script>", r"<\/script>")  # as myst-nb writes it
    return type(asset)(asset.filename, priority=asset.priority, **{**attributes, "body": text})


def clean_page_assets(app, pagename, templatename, context, doctree) -> None:
    if _has_widgets(context):
        app.add_js_file(None, body=MATHJAX2_QUEUE)  # for this page only
        context["script_files"] = [_prune_widget_state(asset, context.get("body", ""))
                                   for asset in context["script_files"]]
    drop_thebe = not _thebe_enabled(app)
    for name in ("script_files", "css_files"):
        if name not in context:
            continue
        seen, kept = set(), []
        for asset in context[name]:
            key = _key(asset)
            if key in seen or (drop_thebe and _is_thebe(asset)):
                continue
            seen.add(key)
            kept.append(asset)
        context[name] = kept  # a new list: the builder's own is restored after each page


def setup(app) -> dict:
    # After the other extensions' handlers (default priority 500), which add per-page assets.
    app.connect("html-page-context", clean_page_assets, priority=900)
    # Sphinx rewrites only the pages whose sources changed; an edit of this file must
    # rewrite them all, so the environment's version is this file's hash.
    version = int(hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12], 16)
    return {"env_version": version, "parallel_read_safe": True, "parallel_write_safe": True}
