"""Every page of _toc.yml in headless Chromium, as a reader gets it from the built site.

One visit per page (sitecheck.visit) records what these tests assert on; see the
docstrings for what each one guarantees. Screenshots: _build/screenshots/<page>.png and
<page>-dark.jpg.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest
import sitecheck
from sitecheck import NOTEBOOK_PAGES, PAGES

pages = pytest.mark.parametrize("page", PAGES)


def listing(items, limit: int = 15) -> str:
    items = list(items)
    more = f"\n  ... and {len(items) - limit} more" if len(items) > limit else ""
    return "".join(f"\n  {item}" for item in items[:limit]) + more


@pages
def test_page_renders(visits, page):
    """Maths has been typeset and every kernel-free explorer shows a picture."""
    visit = visits(page)
    assert not visit.not_ready, f"{page}: not rendered:{listing(visit.not_ready)}"


@pages
def test_no_request_leaves_localhost(visits, page):
    """The site works offline: no script, style, font, image or call to another host."""
    visit = visits(page)
    assert visit.requests, f"{page}: no request recorded at all"
    assert not visit.external, (
        f"{page} requested {len(visit.external)} URL(s) of another host:"
        f"{listing(sorted(set(visit.external)))}")


@pages
def test_no_console_errors(visits, page):
    visit = visits(page)
    assert not visit.console_errors, f"{page}: console errors:{listing(visit.console_errors)}"


@pages
def test_no_failed_requests(visits, page):
    """No 404 or other failed request (a missing image, font or script)."""
    visit = visits(page)
    assert not visit.failed, f"{page}: failed requests:{listing(sorted(set(visit.failed)))}"


@pages
def test_math_is_rendered(visits, page):
    """Every maths element was typeset by MathJax, without TeX errors or leftover TeX."""
    math = visits(page).dom["math"]
    if math["elements"]:
        assert math["mathjax"], f"{page} has maths but MathJax did not start"
    assert not math["unrendered"], (
        f"{page}: {len(math['unrendered'])} of {math['elements']} maths elements not typeset:"
        f"{listing(math['unrendered'])}")
    assert not math["errors"], f"{page}: MathJax errors:{listing(math['errors'])}"
    assert not math["raw"], f"{page}: {math['raw']} TeX delimiters left in the visible text"


@pages
def test_explorers_change_frame_by_keyboard(visits, page):
    """Each kernel-free explorer shows one picture, with alt text, and every one of its
    sliders, moved one step with an arrow key, changes that picture (jslinks work)."""
    visit = visits(page)
    expected = visit.widgets["static_explorers"]
    assert len(visit.explorers) == expected, (
        f"{page}: the saved widget state shows {expected} kernel-free explorer(s); "
        f"{len(visit.explorers)} rendered")
    problems = []
    for explorer in visit.explorers:
        name, frame = f"explorer {explorer['explorer']}", explorer["frame"]
        if frame["rawHtml"]:
            problems.append(f"{name}: its frame shows HTML markup as text")
        if frame["visibleImages"] != 1:
            problems.append(f"{name}: {frame['visibleImages']} pictures visible, not 1")
        if not all(alt.strip() for alt in frame["alts"]):
            problems.append(f"{name}: a frame has no alt text")
        if not frame["sliders"]:
            problems.append(f"{name}: no slider")
        for slider in explorer["sliders"]:
            if slider["frame_after"] == slider["frame_before"]:
                problems.append(
                    f"{name}, slider {slider['slider']!r}: {slider['key']} moved it from "
                    f"{slider['value_before']} to {slider['value_after']} but the picture "
                    f"did not change (was: {slider['frame_before'][:90]!r})")
    assert not problems, f"{page}:{listing(problems)}"


@pages
def test_no_dead_controls(visits, page):
    """No slider (or other control) pretends to work: each one shown is part of a
    kernel-free explorer, and jslinked to a widget that is shown too."""
    visit = visits(page)
    outside = visit.dom["controlsOutsideExplorers"]
    assert not outside, f"{page}: controls outside kernel-free explorers:{listing(outside)}"
    dead = visit.widgets["dead_controls"]
    assert not dead, f"{page}: controls that no jslink connects to a shown widget:{listing(dead)}"


@pages
def test_no_live_explorer_on_the_site(visits, page):
    """Live explorers need a kernel: chapters tag their cells `remove-output`."""
    visit = visits(page)
    assert visit.dom["liveExplorers"] == 0 == visit.widgets["live_explorers_shown"], (
        f"{page} shows {visit.dom['liveExplorers']} live explorer(s); tag the cell "
        f"`remove-output` and say how to launch the notebook instead")


@pages
def test_code_fits_without_scrolling(visits, page):
    """In a 1280-pixel-wide window, no code cell or printed output scrolls sideways (code
    lines are kept within 88 characters; _static/course.css sizes the code font)."""
    wide = visits(page).dom["scrollingCode"]
    assert not wide, f"{page}: code blocks that scroll sideways:{listing(wide)}"


@pages
def test_images_have_alt_text_and_load(visits, page):
    """Every image of the page (content, widget frames, theme) has alt text and loads."""
    images = visits(page).dom["images"]
    no_alt = [f"{i['src']} ({i['where']})" for i in images if not (i["alt"] or "").strip()]
    broken = [f"{i['src']} ({i['where']})" for i in images if not i["loaded"]]
    assert not no_alt, f"{page}: images without alt text:{listing(no_alt)}"
    assert not broken, f"{page}: images that did not load:{listing(broken)}"


@pages
@pytest.mark.parametrize("theme", sitecheck.THEMES)
def test_text_contrast(visits, page, theme):
    """WCAG AA contrast (4.5:1, or 3:1 for large text) of body text, headings, links,
    captions, admonitions, code and widget labels, from the computed colours."""
    contrast = visits(page).contrast[theme]
    sampled = {category for category, count in contrast["counts"].items() if count}
    assert {"body", "link"} <= sampled, f"{page}: no body text or link sampled"
    failing, seen = [], set()
    for s in contrast["failing"]:
        key = (s["where"], s["color"], s["background"])
        if key not in seen:
            seen.add(key)
            failing.append(f"{s['category']}: {s['ratio']}:1 < {s['required']}:1, "
                           f"{s['color']} on {s['background']}, {s['text']!r} at {s['where']}")
    assert not failing, (
        f"{page}, {theme} theme: text below WCAG AA contrast (fix in _static/course.css):"
        f"{listing(failing)}")


@pages
def test_screenshots_saved(visits, page):
    for theme, path in visits(page).screenshots.items():
        assert path.is_file() and path.stat().st_size > 10_000, f"{page}: bad {theme} screenshot"


@pytest.mark.parametrize("page", NOTEBOOK_PAGES)
def test_chapter_has_binder_and_download_buttons(site, page):
    """Every chapter page links to its notebook on Binder (JupyterLab) and for download.
    (Reads the built HTML; needs no browser.)"""
    notebook = NOTEBOOK_PAGES[page]
    links = re.findall(r'href="([^"]+)"', (site / page).read_text(encoding="utf-8"))
    binder = [u for u in links if urlsplit(u).hostname == "mybinder.org"
              and f"urlpath=lab/tree/{notebook}" in u]
    assert binder, f"{page}: no Binder link opening {notebook} in JupyterLab"
    downloads = [u for u in links if u.endswith(".ipynb") and not urlsplit(u).scheme]
    assert downloads, f"{page}: no link to download {notebook}"
    for url in downloads:
        target = site / urlsplit(urljoin(page, url)).path
        assert target.is_file(), f"{page}: the download link {url} leads nowhere"
