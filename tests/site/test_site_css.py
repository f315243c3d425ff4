"""Every class the site's markup sets is styled by site.css, or is a hook on purpose.

The markup is read where it is written (the templates, and the Python that writes SVG and
inline HTML), so a class a rare branch emits (a missing approval, a breaking change) is
covered without rendering that case. A class written as `impact-{{ row.impact }}` stands for
each value the code can give it; `STRUCTURAL` lists the classes that are hooks for tests,
scripts or readers of the HTML, each with why it needs no rule.
"""

from __future__ import annotations

import re
from pathlib import Path

from itsmctl.diff.result import Impact
from itsmctl.findings import Severity

PACKAGE = Path(__file__).resolve().parents[2] / "itsmctl"
TEMPLATES = PACKAGE / "templates" / "site"
CSS = TEMPLATES / "static" / "site.css"

# prefix of a class built from a value -> every value the code can give it
VALUES = {
    "impact-": [i.label for i in Impact],
    "change-": [i.label for i in Impact],
    "severity-": [s.label for s in Severity],
}
STRUCTURAL = {
    # names for tests and readers of the HTML; the element's own styling is enough
    "approvers": "a paragraph of changes.html; its names are <strong>",
    "pulls": "a paragraph of changes.html",
    "diff-range": "the opening paragraph of changes.html",
    "category": "a <section> of the published catalog; its heading structures it",
    "criteria": "a gate's list of criteria; a plain list",
    "gate": "a gate's <section>; its heading structures it",
    "dependents": "a service's list of dependents; a plain list",
    "health-totals": "the governance totals; each count is a styled .severity",
    "history-scope": "the paragraph above a history table",
    "holder": "one party and its holders inside a sentence",
    "people": "the people table of a service page; styled as every table",
    "rule-meta": "a rule's severity and category line; its .severity is styled",
    "sortable": "the services table that site.js sorts; styled as every table (and .stack)",
    "states": "a change model's ordered list of states",
    "timeline": "an SVG drawn with presentation attributes of its own",
    "box": "an SVG <g> grouping a node's box and text; the .node inside is styled",
    "attention-ok": "an attention item with nothing to do: the default .attention li look",
    "undrawn": "marks the paragraph said instead of a picture too large to draw; it is .muted",
    "downtime": "the allowed downtime, a <strong>",
    "priority-*": "a priority named by the catalog (P1, P2...): the cell's class .priority is"
                  " styled",
}
_CLASS = re.compile(r'class="((?:\{\{.*?\}\}|\{%.*?%\}|[^"{])*)"')


def _tokens(value: str) -> list[str]:
    """The classes of one attribute value: literal words, and `prefix-*` for a word built
    from an expression; both branches of an `{% if %}` count."""
    value = re.sub(r"\{\{.*?\}\}", "@", re.sub(r"\{%.*?%\}", " ", value))
    return [t.split("@")[0] + "*" if "@" in t else t for t in value.split() if t != "@"]


def markup_classes() -> dict[str, set[str]]:
    """Class -> the files that set it."""
    out: dict[str, set[str]] = {}
    for path in sorted(TEMPLATES.glob("*.html")):
        for value in _CLASS.findall(path.read_text(encoding="utf-8")):
            for token in _tokens(value):
                out.setdefault(token, set()).add(path.name)
    for path in sorted((PACKAGE / "site").glob("*.py")):
        for value in re.findall(r'class="([^"]*)"', path.read_text(encoding="utf-8")):
            for token in value.split():
                if "{" not in token:  # f-string parts: the classes they build are listed here
                    out.setdefault(token, set()).add(path.name)
    return out


def css_classes() -> set[str]:
    """Every class a selector of site.css names (declarations and comments dropped)."""
    css = re.sub(r"/\*.*?\*/", "", CSS.read_text(encoding="utf-8"), flags=re.S)
    selectors = re.sub(r"\{[^{}]*\}", "{}", css)
    return set(re.findall(r"\.([A-Za-z_][\w-]*)", selectors))


def test_every_class_the_markup_sets_is_styled_or_a_hook_on_purpose() -> None:
    styled = css_classes()
    unstyled = {}
    for name, files in markup_classes().items():
        if name in STRUCTURAL:
            continue
        if name.endswith("*"):
            values = VALUES.get(name[:-1])
            assert values is not None, f"{name} ({sorted(files)}): list its values in VALUES"
            missing = [v for v in values if name[:-1] + v not in styled]
            if missing:
                unstyled[name] = (missing, sorted(files))
        elif name not in styled:
            unstyled[name] = ([], sorted(files))
    assert unstyled == {}


def test_the_hook_list_names_only_classes_the_markup_sets() -> None:
    classes = markup_classes()
    assert [name for name in STRUCTURAL if name not in classes] == []
    assert [name for name in STRUCTURAL if name in css_classes()] == []


def test_the_classes_the_review_found_unstyled_are_styled() -> None:
    styled = css_classes()
    for name in ("impact-breaking", "impact-approval-required", "impact-review", "flag-missing",
                 "person", "pull-request", "history"):
        assert name in styled, name
    css = CSS.read_text(encoding="utf-8")
    # a missing approval reads as a warning without colour: a sign and a border besides
    assert '.flag-missing::before { content: "\\26A0' in css
    rule = css.split(".flag-missing {", 1)[1].split("}", 1)[0]
    assert "border: 2px solid" in rule


def test_the_scanner_reads_expressions_and_both_branches() -> None:
    assert _tokens("impact impact-{{ row.impact }}") == ["impact", "impact-*"]
    assert _tokens("{% if x %}attention-warn{% else %}attention-ok{% endif %}") == [
        "attention-warn", "attention-ok"]
    assert _tokens("{{ classes }}") == []


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_flags_and_impacts_have_wcag_aa_contrast() -> None:
    css = CSS.read_text(encoding="utf-8")
    variables = dict(re.findall(r"(--[\w-]+): (#[0-9a-f]{6});", css.split("}", 1)[0]))
    for selector in (".flag-missing", ".impact-breaking", ".impact-approval-required",
                     ".impact-review", ".impact-info"):
        rule = css.split(f"\n{selector} {{", 1)[1].split("}", 1)[0]
        fg, bg = (variables[re.findall(rf"(?<![\w-]){what}: var\((--[\w-]+)\)", rule)[0]]
                  for what in ("color", "background"))
        light, dark = sorted((_luminance(fg), _luminance(bg)), reverse=True)
        assert (light + 0.05) / (dark + 0.05) >= 4.5, selector


# tables narrow enough for a phone as they are (two or three short columns of counts or
# hours), by template and caption as written: the only ones not stacked rows on a phone
NARROW_TABLES = {
    ("index.html", "{{ caption }}"): "by lifecycle, tier, type: a value and its count",
    ("calendar.html", "Weekly hours"): "a day, its hours, a total",
    ("macros.html", "Service credits"): "two percentages",
}


def _tables() -> list[tuple[str, str, str]]:
    """(template, the <table> tag, the table's markup) for every table the templates write."""
    out = []
    for path in sorted(TEMPLATES.glob("*.html")):
        markup = path.read_text(encoding="utf-8")
        for match in re.finditer(r"(<table\b[^>]*>)(.*?)</table>", markup, flags=re.S):
            out.append((path.name, match[1], match[2]))
    return out


def test_every_wide_table_becomes_labelled_rows_on_a_phone() -> None:
    """One mechanism for phones (site.css `table.stack`): the table is stacked and each
    cell names its column in `data-label`, which the stylesheet prints before it."""
    unstacked, unlabelled = [], []
    for name, tag, body in _tables():
        caption = re.search(r"<caption>(.*?)</caption>", body, flags=re.S)
        if "stack" not in _tokens(tag.split('class="', 1)[-1].split('"', 1)[0]):
            if (name, caption[1] if caption else "") not in NARROW_TABLES:
                unstacked.append(f"{name}: {caption[1] if caption else tag}")
            continue
        unlabelled += [f"{name}: {cell}" for cell in re.findall(r"<td\b[^>]*>", body)
                       if "data-label=" not in cell]
    assert unstacked == [] and unlabelled == []
    assert "table.stack td[data-label]::before" in CSS.read_text(encoding="utf-8")
