"""Checks of the book itself: the toc, the notebooks as committed, and _config.yml."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"

_spec = importlib.util.spec_from_file_location("toc", ROOT / "tools" / "toc.py")
assert _spec is not None and _spec.loader is not None
toc = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(toc)

CHAPTER_NOTEBOOKS = sorted(CHAPTERS.glob("*.ipynb"))
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def code_sources(nb_path: Path) -> list[str]:
    nb = nbformat.read(nb_path, as_version=4)
    return [cell.source for cell in nb.cells if cell.cell_type == "code"]


# --- the toc ---------------------------------------------------------------------------


def test_every_toc_entry_exists():
    missing = [rel(path) for path in toc.toc_documents() if not path.is_file()]
    assert not missing, f"_toc.yml lists files that do not exist: {missing}"


def test_toc_lists_exactly_the_chapter_notebooks():
    listed = {rel(path) for path in toc.toc_notebooks()}
    present = {rel(path) for path in CHAPTER_NOTEBOOKS}
    assert not present - listed, f"in chapters/ but not in _toc.yml: {sorted(present - listed)}"
    assert not listed - present, f"in _toc.yml but not in chapters/: {sorted(listed - present)}"


def test_toc_has_no_duplicates():
    entries = [rel(path) for path in toc.toc_documents()]
    assert len(entries) == len(set(entries)), f"listed twice in _toc.yml: {entries}"


def test_nbval_collects_every_toc_notebook():
    """`make test` hands the toc notebooks to nbval; each must yield test items."""
    notebooks = [rel(path) for path in toc.toc_notebooks()]
    if not notebooks:
        assert not CHAPTER_NOTEBOOKS  # nothing to collect, and nothing left out
        return
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
         "--nbval-lax", "--nbval-current-env", *notebooks],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    collected = {line.split("::", 1)[0] for line in result.stdout.splitlines() if "::" in line}
    assert collected == set(notebooks), (
        f"nbval collected {sorted(collected)}, the toc lists {notebooks}; a notebook with "
        f"no code cell collects nothing\n{result.stdout}"
    )


# --- the notebooks, as committed ----------------------------------------------------------


@pytest.mark.parametrize("nb_path", CHAPTER_NOTEBOOKS, ids=rel)
def test_notebook_is_stripped(nb_path):
    """Outputs come from the build; the repository holds sources only (`make strip`)."""
    nb = nbformat.read(nb_path, as_version=4)
    dirty = [
        i for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)
    ]  # fmt: skip
    assert not dirty, f"cells {dirty} have outputs or execution counts: run `make strip`"
    assert "widgets" not in nb.metadata, "saved widget state: run `make strip`"


@pytest.mark.parametrize("nb_path", CHAPTER_NOTEBOOKS, ids=rel)
def test_notebook_leaves_sys_path_alone(nb_path):
    """Notebooks `import optimlib`, which requirements.txt installs; no path tricks."""
    offending = [src for src in code_sources(nb_path) if re.search(r"sys\.path|PYTHONPATH", src)]
    assert not offending, f"touches sys.path: {offending}"


# --- _config.yml ---------------------------------------------------------------------------


def test_config_builds_only_toc_files():
    assert CONFIG["only_build_toc_files"] is True


def test_config_executes_with_cache():
    assert CONFIG["execute"]["execute_notebooks"] == "cache"
    assert CONFIG["execute"]["allow_errors"] is False


def test_config_has_no_thebe():
    assert CONFIG["launch_buttons"].get("thebe", False) is False


def test_toc_is_numbered():
    data = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    numbered = [data.get("options", {}).get("numbered")]
    numbered += [part.get("numbered") for part in data.get("parts", [])]
    assert any(numbered), "_toc.yml should number the chapters (numbered: true)"


def bib_keys() -> list[str]:
    """Every entry key in the bibliography files, in order, repeats included."""
    keys: list[str] = []
    for name in CONFIG["bibtex_bibfiles"]:
        text = (ROOT / name).read_text(encoding="utf-8")
        keys += re.findall(r"^@\w+\s*\{\s*([^,\s]+)\s*,", text, flags=re.MULTILINE)
    return keys


def cited_keys() -> dict[str, set[str]]:
    """Citation keys per document, from {cite}, {cite:p}, {cite:t}, ... roles."""
    role = re.compile(r"\{cite(?::\w+)?\}`([^`]+)`")
    texts = {}
    for path in toc.toc_documents():
        if path.suffix == ".md":
            texts[rel(path)] = path.read_text(encoding="utf-8")
        elif path.suffix == ".ipynb":
            nb = nbformat.read(path, as_version=4)
            texts[rel(path)] = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    return {
        doc: {key.strip() for match in role.findall(text) for key in match.split(",")}
        for doc, text in texts.items()
    }


def test_bibliography_files_exist():
    for name in CONFIG["bibtex_bibfiles"]:
        assert (ROOT / name).is_file(), f"bibtex_bibfiles names a missing file: {name}"


def test_every_citation_is_in_the_bibliography():
    keys = set(bib_keys())
    unknown = {doc: sorted(cited - keys) for doc, cited in cited_keys().items() if cited - keys}
    assert not unknown, f"cited but not in references.bib: {unknown}"


def test_bibliography_keys_are_unique():
    keys = bib_keys()
    twice = sorted({key for key in keys if keys.count(key) > 1})
    assert not twice, f"defined more than once in the bibliography: {twice}"
