"""Fetch the JavaScript that the built site serves itself, so it makes no third-party request.

MathJax 3, RequireJS and the Jupyter widgets HTML manager come from the npm registry as
pinned tarballs; each tarball's sha512 must match the `integrity` recorded below (the value
`npm view NAME@VERSION dist.integrity` prints). Only the standard library is used, so a
machine with Python and make needs no Node.js.

The files land in _build/assets/_static/vendor/, which _config.yml lists in
`html_extra_path`, so Sphinx copies them to _build/html/_static/vendor/. They are kept out
of the source `_static/` on purpose: Jupyter Book adds every .js file under `_static/` to
every page, which would load all of MathJax's components everywhere. Beside them goes
require-config.js, a few lines of our own (REQUIRE_CONFIG below).

Usage: python tools/fetch_vendor.py   (does nothing when the pinned versions are in place)
To upgrade a package: change its version and integrity below, and check that a page with
maths and a page with a widget still render.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import sys
import tarfile
import urllib.request
from dataclasses import asdict, dataclass, field
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEST = ROOT / "_build" / "assets" / "_static" / "vendor"
# Sphinx's copy of DEST. What we installed there is removed on reinstall, since Sphinx
# warns (an error under -W) before overwriting a file that changed. The folder is shared:
# the theme puts its own vendor/fontawesome/ there.
SITE_COPY = ROOT / "_build" / "html" / "_static" / "vendor"
LOCK = DEST / "installed.json"
REGISTRY = os.environ.get("npm_config_registry", "https://registry.npmjs.org").rstrip("/")


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    integrity: str  # sha512 of the tarball, as the registry records it
    source: str  # directory or file inside the tarball's package/ folder
    target: str  # where it goes under DEST
    exclude: tuple[str, ...] = field(default=())  # glob patterns, relative to source

    @property
    def url(self) -> str:
        basename = self.name.rsplit("/", 1)[-1]
        return f"{REGISTRY}/{self.name}/-/{basename}-{self.version}.tgz"


PACKAGES = (
    # Sphinx's `mathjax_path` points at mathjax/tex-mml-chtml.js. The other combined
    # components are left out; the fonts, TeX extensions, menu and speech maps stay,
    # since MathJax loads them on demand relative to its own URL.
    Package(
        name="mathjax",
        version="3.2.2",
        integrity="sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw==",
        source="es5",
        target="mathjax",
        exclude=(
            "*-svg*.js",
            "tex-chtml*.js",
            "mml-chtml.js",
            "node-main.js",
            "latest.js",
            "output/svg*",
        ),
    ),
    # The AMD loader that the widgets' embed script needs.
    Package(
        name="requirejs",
        version="2.3.8",
        integrity="sha512-7/cTSLOdYkNBNJcDMWf+luFvMriVm7eYxp4BcFCsAX0wF421Vyce5SXP17c+Jd5otXKGNehIonFlyQXSowL6Mw==",
        source="require.js",
        target="requirejs/require.js",
    ),
    # Renders saved widget state on a static page. 1.0.15 is the release of the ipywidgets
    # 8.1.8/8.1.9 sources (same @jupyter-widgets/base ^6.0.12 and controls ^5.0.13 as
    # jupyterlab_widgets 3.0.17). embed-amd.js bundles base, controls and output; the
    # font files beside it are Font Awesome's, found relative to the script.
    Package(
        name="@jupyter-widgets/html-manager",
        version="1.0.15",
        integrity="sha512-5thBIV6ymNgmPVOHvzx+gGy8ZSKmSazhtGw4/c4xJDVzRhG9PTeQsRjF3FUTopvFi//SABeNz1yp47bCrJ3CQA==",
        source="dist",
        target="html-manager",
        exclude=("*.map", "embed.js", "embed.js.LICENSE.txt", "libembed-amd.js"),
    ),
)


# Our own few lines, loaded between require.js and embed-amd.js (nb_ipywidgets_js in
# _config.yml). The embed script finds its font files relative to the URL that RequireJS
# gives its module, which by default is relative to the page; this points it at the
# script's own folder.
REQUIRE_CONFIG = """\
// Written by tools/fetch_vendor.py: see there.
require.config({
  paths: {
    "@jupyter-widgets/html-manager/dist": new URL("html-manager", document.currentScript.src).href,
  },
});
"""


def pins() -> dict:
    """What is installed, as recorded in LOCK: a change to any of it reinstalls."""
    packages = [asdict(p) for p in PACKAGES]
    return json.loads(json.dumps({"packages": packages, "require-config.js": REQUIRE_CONFIG}))


def download(package: Package) -> bytes:
    with urllib.request.urlopen(package.url, timeout=120) as response:
        data = response.read()
    algorithm, _, expected = package.integrity.partition("-")
    actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if actual != expected:
        sys.exit(
            f"fetch_vendor: {package.name}@{package.version}: integrity mismatch "
            f"(expected {algorithm}-{expected}, got {algorithm}-{actual})"
        )
    return data


def extract(package: Package, data: bytes, dest: Path) -> int:
    prefix = f"package/{package.source}"
    count = 0
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for member in tar.getmembers():
            if not member.isfile():
                continue
            if member.name == prefix:  # a single file
                relative = ""
            elif member.name.startswith(prefix + "/"):
                relative = member.name[len(prefix) + 1 :]
            else:
                continue
            if any(fnmatch(relative, pattern) for pattern in package.exclude):
                continue
            target = dest / package.target / relative if relative else dest / package.target
            target = target.resolve()
            if not target.is_relative_to(dest.resolve()):
                sys.exit(f"fetch_vendor: {package.name}: unsafe path {member.name!r}")
            target.parent.mkdir(parents=True, exist_ok=True)
            source = tar.extractfile(member)
            assert source is not None
            target.write_bytes(source.read())
            count += 1
    if count == 0:
        sys.exit(f"fetch_vendor: {package.name}: nothing found at {prefix!r}")
    return count


def main() -> None:
    if LOCK.is_file() and json.loads(LOCK.read_text()) == pins():
        LOCK.touch()  # up to date; tell make so
        return
    staging = DEST.with_name("vendor.partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for package in PACKAGES:
        data = download(package)
        count = extract(package, data, staging)
        print(f"fetch_vendor: {package.name}@{package.version}: {count} files")
    (staging / "require-config.js").write_text(REQUIRE_CONFIG)
    (staging / LOCK.name).write_text(json.dumps(pins(), indent=2) + "\n")
    names = {path.name for path in staging.iterdir()}
    if DEST.is_dir():
        names |= {path.name for path in DEST.iterdir()}
    for name in names:
        copy = SITE_COPY / name
        if copy.is_dir():
            shutil.rmtree(copy)
        else:
            copy.unlink(missing_ok=True)
    shutil.rmtree(DEST, ignore_errors=True)
    staging.rename(DEST)


if __name__ == "__main__":
    main()
