"""What the browser tests look at: one visit per page of the built site, and the page weights.

`visit(browser, base_url, page)` opens a page once in headless Chromium, waits until its
maths and widgets have rendered, and records everything the tests in test_site_pages.py
assert on: every request the page made, console errors, failed requests, the maths, the
images, the widget controls, what each kernel-free explorer shows before and after its
sliders are moved by keyboard, the text contrast in both themes, and two screenshots.
Requests to any host but this machine are recorded and then blocked, so a test run never
reaches the network.

The widget state saved in a page (a JSON script) is read in Python: `widget_report` finds
the controls that a reader sees but that no jslink connects to anything (dead sliders).
"""

from __future__ import annotations

import html.parser
import importlib.util
import json
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
# COURSE_BUILD: the build folder to test (a private `jupyter-book build --path-output X`
# has X/_build); by default the one `make html` writes.
BUILD = Path(os.environ.get("COURSE_BUILD", ROOT / "_build"))
SITE = BUILD / "html"
SCREENSHOTS = BUILD / "screenshots"
WEIGHTS_JSON = BUILD / "page_weights.json"
MAX_PAGE_BYTES = 2.5 * 2**20  # 2.5 MB: a page's HTML plus its own images

# Debian's chromium package; $CHROMIUM overrides. Playwright never downloads a browser here.
CHROMIUM = "/usr/bin/chromium"
# --disable-background-networking and friends keep Chromium itself from calling Google.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-first-run",
    "--disable-quic",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
VIEWPORT = {"width": 1280, "height": 900}
TIMEOUT_MS = 60_000  # generous: a long chapter on a busy CI machine

STATIC_EXPLORER = "optimlib-static-explorer"
LIVE_EXPLORER = "optimlib-live-explorer"

# Text sampled for the contrast check, by category (CSS selectors of containers; every
# visible text node inside counts, with the colours of its own element).
CONTRAST_SAMPLES = {
    "body": ".bd-article p, .bd-article li, .bd-article td, .bd-article th, .bd-article dd",
    "heading": ".bd-article h1, .bd-article h2, .bd-article h3, .bd-article h4",
    "link": ".bd-article a, .bd-sidebar-primary a, .bd-sidebar-secondary a, .bd-header a",
    "caption": ".bd-article figcaption, .bd-article .caption",
    "admonition": ".bd-article .admonition",
    "code": ".bd-article pre, .bd-article code",
    "widget": ".bd-article .jupyter-widgets",
}
THEMES = ("light", "dark")

JS = (HERE / "page.js").read_text(encoding="utf-8")


def is_local(url: str) -> bool:
    """True unless the URL is a network request (http, https, ws, wss) to another host."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https", "ws", "wss"):
        return True  # data:, blob:, about: ... never leave the browser
    return parts.hostname in LOCAL_HOSTS


def docname_to_page(entry: str) -> str:
    """A _toc.yml entry ("chapters/01_x", maybe with a suffix) as its page in the site."""
    for suffix in (".ipynb", ".md"):
        entry = entry.removesuffix(suffix)
    return entry + ".html"


def _toc():
    spec = importlib.util.spec_from_file_location("toc", ROOT / "tools" / "toc.py")
    assert spec is not None and spec.loader is not None
    toc = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(toc)
    return toc


_TOC = _toc()
# Every document of _toc.yml, as its page in the site: the intro, chapters, references.
PAGES = [docname_to_page(entry) for entry in _TOC.toc_entries()]
# The pages made from notebooks (the chapters), by page: the notebook's path.
NOTEBOOK_PAGES = {
    docname_to_page(entry): _TOC.resolve(entry).relative_to(ROOT).as_posix()
    for entry in _TOC.toc_entries() if _TOC.resolve(entry).suffix == ".ipynb"
}


def screenshot_name(page: str) -> str:
    return Path(page).stem


# --- the widget state saved in a page -----------------------------------------------------

STATE_RE = re.compile(
    r'<script type="application/vnd\.jupyter\.widget-state\+json">(.*?)</script>', re.S)
VIEW_RE = re.compile(
    r'<script type="application/vnd\.jupyter\.widget-view\+json">(.*?)</script>', re.S)
REF_RE = re.compile(r"IPY_MODEL_([0-9a-f]+)")
LINK_MODELS = {"LinkModel", "DirectionalLinkModel"}
# ipywidgets' controls: what a reader can move, type into or click.
CONTROL_MODELS = {f"{name}Model" for name in (
    "IntSlider", "FloatSlider", "FloatLogSlider", "IntRangeSlider", "FloatRangeSlider",
    "SelectionSlider", "SelectionRangeSlider", "Dropdown", "Select", "SelectMultiple",
    "RadioButtons", "ToggleButtons", "ToggleButton", "Checkbox", "Text", "Textarea",
    "Password", "Combobox", "Button", "Play", "ColorPicker", "DatePicker", "DatetimePicker",
    "NaiveDatetimePicker", "TimePicker", "TagsInput", "ColorsInput", "FloatsInput",
    "IntsInput", "FileUpload", "Controller", "IntText", "FloatText", "BoundedIntText",
    "BoundedFloatText")}


def widget_state(page_html: str) -> tuple[dict, list[str]]:
    """The saved models (id -> model) and the ids of the widgets shown on the page."""
    match = STATE_RE.search(page_html)
    state = json.loads(match.group(1))["state"] if match else {}
    views = [json.loads(m)["model_id"] for m in VIEW_RE.findall(page_html)]
    return state, views


def reachable(state: dict, roots: list[str]) -> set[str]:
    """The models that the shown widgets consist of (children, layouts, styles, ...)."""
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        model_id = todo.pop()
        if model_id in seen or model_id not in state:
            continue
        seen.add(model_id)
        todo += REF_RE.findall(json.dumps(state[model_id]["state"]))
    return seen


def classes(model: dict) -> list[str]:
    return model["state"].get("_dom_classes", [])


def widget_report(page_html: str) -> dict:
    """Explorers and controls of a page, from its saved widget state.

    A control (slider, dropdown, button, text box, ...) that is shown and enabled is dead
    on the static site unless a jslink connects it to a widget that is also shown.
    """
    state, views = widget_state(page_html)
    shown = reachable(state, views)
    partners: dict[str, set[str]] = {}
    for model in state.values():
        if model["model_name"] not in LINK_MODELS:
            continue
        source, target = (model["state"].get(k) or [""] for k in ("source", "target"))
        source, target = (REF_RE.findall(str(end[0])) for end in (source, target))
        for a in source:
            partners.setdefault(a, set()).update(target)
        if model["model_name"] == "LinkModel":  # jslink works both ways
            for b in target:
                partners.setdefault(b, set()).update(source)
    dead = []
    for model_id in sorted(shown):
        model = state[model_id]
        if model["model_name"] not in CONTROL_MODELS or model["state"].get("disabled"):
            continue
        if not partners.get(model_id, set()) & shown:
            label = model["state"].get("description") or model_id
            dead.append(f"{model['model_name']} {label!r}")
    return {
        "static_explorers": sum(STATIC_EXPLORER in classes(state[m]) for m in shown),
        # Live explorers run only with a kernel: their state is saved but never shown.
        "live_explorers_saved": sum(LIVE_EXPLORER in classes(m) for m in state.values()),
        "live_explorers_shown": sum(LIVE_EXPLORER in classes(state[m]) for m in shown),
        "dead_controls": dead,
    }


# --- page weight --------------------------------------------------------------------------


class _ImageSources(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("img", "source", "input") and attrs.get("src"):
            self.sources.append(attrs["src"])
        for candidate in (attrs.get("srcset") or "").split(","):
            if candidate.strip():
                self.sources.append(candidate.split()[0])


def page_weight(page: str, site: Path = SITE) -> dict:
    """Bytes of a page's HTML and of the image files it references outside _static/.

    Images embedded as data: URIs (widget frames) are part of the HTML already.
    """
    path = site / page
    text = path.read_text(encoding="utf-8")
    parser = _ImageSources()
    parser.feed(text)
    files: dict[str, int] = {}
    for src in parser.sources:
        if urlsplit(src).scheme:  # data: URIs are in the HTML; other hosts fail elsewhere
            continue
        target = urlsplit(urljoin(page, src)).path.lstrip("/")
        if target.startswith("_static/"):
            continue
        file = site / target
        files[target] = file.stat().st_size if file.is_file() else -1
    missing = sorted(name for name, size in files.items() if size < 0)
    html_bytes = path.stat().st_size
    image_bytes = sum(size for size in files.values() if size > 0)
    return {
        "html_bytes": html_bytes,
        "image_files": len(files),
        "image_bytes": image_bytes,
        "total_bytes": html_bytes + image_bytes,
        "missing_images": missing,
        **{k: v for k, v in widget_report(text).items() if k != "dead_controls"},
    }


def weight_table(weights: dict[str, dict]) -> str:
    header = (f"{'page':<40} {'HTML KB':>8} {'images':>6} {'img KB':>8} {'total KB':>9} "
              f"{'%limit':>6}  explorers static/live")
    lines = [header, "-" * len(header)]
    for page, w in weights.items():
        lines.append(
            f"{page:<40} {w['html_bytes'] / 1024:>8.0f} {w['image_files']:>6} "
            f"{w['image_bytes'] / 1024:>8.0f} {w['total_bytes'] / 1024:>9.0f} "
            f"{100 * w['total_bytes'] / MAX_PAGE_BYTES:>5.0f}%  "
            f"{w['static_explorers']}/{w['live_explorers_saved']}")
    lines.append(f"limit: {MAX_PAGE_BYTES / 2**20:g} MB per page (HTML + its images, _static/ "
                 "excluded); live explorers run only with a kernel and are not shown")
    return "\n".join(lines)


# --- one visit of a page in the browser -------------------------------------------------------


@dataclass
class Visit:
    page: str
    requests: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    not_ready: list[str] = field(default_factory=list)  # what did not render in time
    dom: dict = field(default_factory=dict)  # maths, images, controls (see page.js)
    widgets: dict = field(default_factory=dict)  # widget_report of the page's HTML
    explorers: list[dict] = field(default_factory=list)
    contrast: dict[str, dict] = field(default_factory=dict)  # theme -> counts, failing
    screenshots: dict[str, Path] = field(default_factory=dict)  # theme -> file


def visit(browser, base_url: str, page: str) -> Visit:
    result = Visit(page)
    result.widgets = widget_report((SITE / page).read_text(encoding="utf-8"))
    context = browser.new_context(viewport=VIEWPORT, reduced_motion="reduce",
                                  color_scheme="light", service_workers="block")
    context.set_default_timeout(TIMEOUT_MS)

    started = time.monotonic()

    def on_request(request):
        result.requests.append(request.url)
        if not is_local(request.url):
            navigation = ", navigation" if request.is_navigation_request() else ""
            result.external.append(f"{request.url} ({request.resource_type}{navigation}, "
                                   f"{time.monotonic() - started:.1f} s after the start)")

    def on_failed(request):
        if is_local(request.url):  # blocked external requests are reported as such
            result.failed.append(f"{request.url} ({request.failure})")

    def on_response(response):
        if response.status >= 400:
            result.failed.append(f"{response.url} (HTTP {response.status})")

    def on_console(message):
        location = message.location or {}
        # Chromium may ask for /favicon.ico by itself (the pages link _static/favicon.svg
        # instead); like its other background traffic, that is not the page's error.
        if urlsplit(location.get("url", "")).path == "/favicon.ico":
            return
        if message.type == "error":
            where = f" at {location.get('url', '')}:{location.get('lineNumber', '')}"
            result.console_errors.append(message.text + (where if location else ""))

    def route(route):
        if is_local(route.request.url):
            route.continue_()
        else:
            route.abort("blockedbyclient")

    context.on("request", on_request)
    context.on("requestfailed", on_failed)
    context.on("response", on_response)
    context.route("**/*", route)
    tab = context.new_page()
    tab.on("console", on_console)
    tab.on("pageerror", lambda error: result.console_errors.append(f"uncaught: {error}"))
    try:
        tab.goto(f"{base_url}/{page}", wait_until="load")
        _wait_until_rendered(tab, result)
        tab.add_style_tag(content="*, *::before, *::after "
                                  "{ transition: none !important; animation: none !important; }")
        result.dom = tab.evaluate(f"({JS}).facts()")
        for theme in THEMES:
            tab.evaluate("theme => { document.documentElement.dataset.theme = theme; }", theme)
            result.contrast[theme] = tab.evaluate(f"({JS}).contrast", CONTRAST_SAMPLES)
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            # <page>.png; the dark one as <page>-dark.jpg, for a look (a PNG of a long
            # chapter takes Chromium several seconds to encode).
            if theme == "light":
                shot, options = SCREENSHOTS / f"{screenshot_name(page)}.png", {}
            else:
                shot = SCREENSHOTS / f"{screenshot_name(page)}-{theme}.jpg"
                options = {"quality": 80}
            tab.screenshot(path=shot, full_page=True, **options)
            result.screenshots[theme] = shot
        tab.evaluate("() => { document.documentElement.dataset.theme = 'light'; }")
        result.explorers = _move_sliders(tab)
        _settle(tab, result)
    finally:
        context.close()
    return result


def _wait_until_rendered(tab, result: Visit) -> None:
    """Until MathJax has typeset and every kernel-free explorer shows a picture."""
    typeset = tab.evaluate(
        """ms => !(window.MathJax && MathJax.startup && MathJax.startup.promise) || Promise.race([
          MathJax.startup.promise.then(() => true),
          new Promise(resolve => setTimeout(() => resolve(false), ms))])""", TIMEOUT_MS)
    if not typeset:
        result.not_ready.append(f"MathJax did not finish within {TIMEOUT_MS / 1000:g} s")
    expected = result.widgets["static_explorers"]
    if expected:
        try:  # polled every 100 ms, not per animation frame: a busy machine may skip frames
            tab.wait_for_function(
                "n => document.querySelectorAll('.optimlib-static-explorer img').length >= n",
                arg=expected, timeout=TIMEOUT_MS, polling=100)
        except Exception:  # playwright's TimeoutError: recorded, asserted by the tests
            shown = tab.locator(f".{STATIC_EXPLORER}").count()
            result.not_ready.append(
                f"{shown} of {expected} kernel-free explorers rendered a picture within "
                f"{TIMEOUT_MS / 1000:g} s")
    _settle(tab, result)


def _settle(tab, result: Visit) -> None:
    """Until no request has been open for 0.5 s: every font and image has been asked for."""
    try:
        tab.wait_for_load_state("networkidle", timeout=TIMEOUT_MS)
    except Exception:  # playwright's TimeoutError: recorded, asserted by the tests
        result.not_ready.append(f"the network was still busy after {TIMEOUT_MS / 1000:g} s")


def _move_sliders(tab) -> list[dict]:
    """Move every slider of every kernel-free explorer one step by keyboard."""
    reports = []
    boxes = tab.locator(f".{STATIC_EXPLORER}")
    for i in range(boxes.count()):
        box = boxes.nth(i)
        box.scroll_into_view_if_needed()
        report = {"explorer": i + 1, "frame": box.evaluate(f"({JS}).frameInfo"), "sliders": []}
        handles = box.locator(".noUi-handle")
        for j in range(handles.count()):
            handle = handles.nth(j)
            before = box.evaluate(f"({JS}).frameSignature")
            value_before = handle.get_attribute("aria-valuenow")
            at_end = value_before == handle.get_attribute("aria-valuemax")
            key = "ArrowLeft" if at_end else "ArrowRight"
            handle.focus()
            handle.press(key)
            after = before
            deadline = time.monotonic() + 10  # only a broken explorer waits this long
            while after == before and time.monotonic() < deadline:
                tab.wait_for_timeout(50)
                after = box.evaluate(f"({JS}).frameSignature")
            label = handle.evaluate(
                "h => h.closest('.widget-slider')?.querySelector('.widget-label')?.textContent")
            report["sliders"].append({
                "slider": label or f"slider {j + 1}", "key": key,
                "value_before": value_before, "value_after": handle.get_attribute("aria-valuenow"),
                "frame_before": before, "frame_after": after,
            })
        reports.append(report)
    return reports
