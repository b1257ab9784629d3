"""The documents listed in _toc.yml, as paths relative to the repository root.

`python tools/toc.py` prints the notebooks, one a line, for the Makefile to hand to nbval;
`python tools/toc.py --all` prints every document. tests/test_book.py imports it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SUFFIXES = (".ipynb", ".md")


def toc_entries(toc: Path = ROOT / "_toc.yml") -> list[str]:
    """Every `root` and `file` entry of the toc, in reading order, as written there."""
    data = yaml.safe_load(toc.read_text(encoding="utf-8"))
    entries = [data["root"]]

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "file" in node:
                entries.append(node["file"])
            for key in ("parts", "chapters", "sections"):
                walk(node.get(key, []))
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(data)
    return entries


def resolve(entry: str) -> Path:
    """The file an entry names: Jupyter Book lets the suffix be left out."""
    path = ROOT / entry
    if path.suffix in SUFFIXES:
        return path
    for suffix in SUFFIXES:
        if path.with_suffix(suffix).is_file():
            return path.with_suffix(suffix)
    return path  # missing; the caller reports it


def toc_documents() -> list[Path]:
    return [resolve(entry) for entry in toc_entries()]


def toc_notebooks() -> list[Path]:
    return [path for path in toc_documents() if path.suffix == ".ipynb"]


if __name__ == "__main__":
    paths = toc_documents() if "--all" in sys.argv[1:] else toc_notebooks()
    for path in paths:
        print(path.relative_to(ROOT).as_posix())
