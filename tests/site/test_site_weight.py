"""Each page of the site, HTML plus its own images, weighs at most 2.5 MB.

Shared theme assets under _static/ (styles, scripts, fonts, MathJax) are not counted: a
reader downloads them once for the whole site. Widget frames are data: URIs inside the
HTML, so they count. The table is printed after the tests and written to
_build/page_weights.json. Needs no browser.
"""

from __future__ import annotations

import pytest
import sitecheck
from sitecheck import PAGES


@pytest.mark.parametrize("page", PAGES)
def test_page_weight(page_weights, page):
    weight = page_weights[page]
    assert not weight["missing_images"], f"{page} references missing images: {weight}"
    assert weight["total_bytes"] <= sitecheck.MAX_PAGE_BYTES, (
        f"{page} weighs {weight['total_bytes'] / 2**20:.2f} MB (HTML "
        f"{weight['html_bytes'] / 2**20:.2f} MB + {weight['image_files']} images "
        f"{weight['image_bytes'] / 2**20:.2f} MB), over the "
        f"{sitecheck.MAX_PAGE_BYTES / 2**20:g} MB limit")
