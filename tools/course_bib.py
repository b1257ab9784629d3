"""The course's bibliography style: the reference list is labelled by author and year.

The chapters cite in author-year form (`bibtex_reference_style: author_year` in
_config.yml gives "Kingma and Ba [2015]" and "[Kingma and Ba, 2015]"), but pybtex's
built-in styles label the list at the end by number or by an abbreviation ("[KB15]"), which
a reader cannot match to a citation. This style, "course", labels every entry the way it is
cited ("Kingma and Ba, 2015", "Cohen et al., 2021") and sorts by author, year and title.
_config.yml loads this file with `sphinx: local_extensions` and selects it with
`bibtex_default_style: course`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator

from pybtex.plugin import register_plugin
from pybtex.richtext import Text
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle


def _last_name(person) -> str:
    return Text.from_latex(" ".join(person.prelast_names + person.last_names)).render_as("text")


def author_year(entry) -> str:
    """ "Cauchy, 1847", "Kingma and Ba, 2015" or "Cohen et al., 2021"."""
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [_last_name(p) for p in people]
    if not names:
        who = entry.fields.get("organization") or entry.fields.get("title", entry.key)
        who = Text.from_latex(str(who)).render_as("text")
    elif len(names) == 1:
        who = names[0]
    elif len(names) == 2:
        who = f"{names[0]} and {names[1]}"
    else:
        who = f"{names[0]} et al."
    return f"{who}, {entry.fields.get('year', 'n.d.')}"


class AuthorYearLabels(BaseLabelStyle):
    def format_labels(self, sorted_entries: Iterable) -> Iterator[str]:
        labels = [author_year(entry) for entry in sorted_entries]
        count, seen = Counter(labels), Counter()
        for label in labels:  # two entries with the same label: 2015a, 2015b
            yield label if count[label] == 1 else label + "abcdefghij"[seen[label]]
            seen[label] += 1


class CourseStyle(PlainStyle):
    default_label_style = "course-author-year"
    default_sorting_style = "author_year_title"


def setup(app) -> dict:
    register_plugin("pybtex.style.labels", "course-author-year", AuthorYearLabels)
    register_plugin("pybtex.style.formatting", "course", CourseStyle)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
