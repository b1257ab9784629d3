"""Clear what running a notebook leaves in it, so that only sources are committed.

Removes every output, execution count, saved widget state and per-cell execution timing;
keeps the sources and the cell tags. `python tools/strip_notebooks.py [NOTEBOOK ...]`,
by default every chapters/*.ipynb (`make strip`). tests/test_book.py checks the result.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent


def strip(nb: nbformat.NotebookNode) -> None:
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None


def main(paths: list[str]) -> None:
    notebooks = [Path(p) for p in paths] or sorted((ROOT / "chapters").glob("*.ipynb"))
    for path in notebooks:
        nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
        before = nbformat.writes(nb)
        strip(nb)
        after = nbformat.writes(nb)
        if after != before:
            nbformat.write(nb, path)
            print(f"stripped {path}")


if __name__ == "__main__":
    main(sys.argv[1:])
