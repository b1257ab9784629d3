"""tools/course_bib.py: the reference list is labelled as the chapters cite."""

import importlib.util
from pathlib import Path

from pybtex.database import parse_string

spec = importlib.util.spec_from_file_location(
    "course_bib", Path(__file__).resolve().parents[1] / "tools" / "course_bib.py")
course_bib = importlib.util.module_from_spec(spec)
spec.loader.exec_module(course_bib)

BIB = r"""
@article{one, author = {Cauchy, Augustin-Louis}, title = {M{\'e}thode}, year = {1847}}
@inproceedings{two, author = {Kingma, Diederik P. and Ba, Jimmy}, title = {Adam}, year = {2015}}
@article{three, author = {Cohen, J. and Kaur, S. and Li, Y.}, title = {Edge}, year = {2021}}
@article{von, author = {van der Berg, Anna}, title = {X}, year = {2020}}
@article{same1, author = {Ba, Jimmy}, title = {A}, year = {2016}}
@article{same2, author = {Ba, Jimmy}, title = {B}, year = {2016}}
@misc{code, title = {{BERT} code}, organization = {Google Research}, year = {2018}}
"""


def test_labels_read_like_the_citations():
    entries = parse_string(BIB, "bibtex").entries
    labels = dict(zip(entries, course_bib.AuthorYearLabels().format_labels(entries.values()),
                      strict=True))
    assert labels == {
        "one": "Cauchy, 1847", "two": "Kingma and Ba, 2015", "three": "Cohen et al., 2021",
        "von": "van der Berg, 2020", "same1": "Ba, 2016a", "same2": "Ba, 2016b",
        "code": "Google Research, 2018"}


def test_every_entry_of_the_course_gets_a_distinct_label():
    bib = Path(__file__).resolve().parents[1] / "references.bib"
    entries = parse_string(bib.read_text(encoding="utf-8"), "bibtex").entries
    labels = list(course_bib.AuthorYearLabels().format_labels(entries.values()))
    assert len(set(labels)) == len(entries) and all(", " in label for label in labels)
