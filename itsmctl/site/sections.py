"""Page sections written in Python, not Jinja: the busiest pages' per-entity sections.

Each writer returns the exact bytes the macro it replaced wrote (tests/site/test_site_sections.py
compares them with those macros on hostile text), and escapes every value it prints with
`fast_escape`, which is `markupsafe.escape`, as Jinja's autoescape does. A writer gets the
page's `link` (links at the page's root) and what the page model holds; `Renderer` remembers
each section of one entity at one root, so the SLA summary an SLA's page and its services'
pages show, or a RACI matrix on its page, its process's and its services', is written once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from markupsafe import Markup

from itsmctl.site.markup import fast_escape, holders_markup, table_open, value_markup
from itsmctl.site.paths import Link

LinkWriter = Callable[[Link | None], Markup]


def sla_summary(link: LinkWriter, sla: dict[str, Any]) -> Markup:
    """An SLA's agreement, availability, allowed downtime and targets (`services.sla_summary`)."""
    e = fast_escape
    allowed = sla["downtime"]
    out = ['<dl class="pairs">\n<dt>Agreement</dt><dd>', link(sla["link"]), " (",
           value_markup(sla["type"]), ")</dd>\n"]
    if sla["customer"]:
        out += ["<dt>Customer</dt><dd>", e(sla["customer"]), "</dd>"]
    out.append("<dt>Availability target</dt><dd>")
    if allowed:
        out += [e(allowed.availability), "%</dd>\n<dt>Allowed downtime per month</dt><dd>"
                '<strong class="downtime">', e(allowed.per_month), '</strong> <span class="muted">'
                "(a month is 30.44 days, around the clock)</span></dd>\n"]
        if allowed.period != "monthly":
            out += ["<dt>Allowed downtime per ", e(str(allowed.period).replace("ly", "")),
                    "</dt><dd>", e(allowed.per_period), "</dd>"]
        if allowed.per_month_in_hours:
            out += ["<dt>Within the agreed hours</dt><dd>", e(allowed.per_month_in_hours),
                    " per month (", e(f"{allowed.service_hours_per_week:g}"),
                    " service hours a week)</dd>"]
    else:
        out.append('<span class="muted">not set or invalid</span></dd>\n')
    out += ["<dt>Calendar</dt><dd>", link(sla["calendar"])]
    if sla["timezone"]:
        out += [" \u00b7 measured in ", e(sla["timezone"])]
    out += ["</dd>\n<dt>Effective</dt><dd>", value_markup(sla["effective_from"]), " to ",
            value_markup(sla["effective_until"], "open end"), "</dd>\n</dl>\n"]
    if sla["targets"]:
        out += [table_open("Response and resolution targets"), '\n<table class="stack">\n'
                "<caption>Response and resolution targets by priority</caption>\n"
                '<thead><tr><th scope="col">Priority</th><th scope="col">Response</th>'
                '<th scope="col">Resolution</th></tr></thead>\n<tbody>\n']
        for priority, response, resolution in sla["targets"]:
            out += ['<tr><th scope="row">', e(priority), '</th><td data-label="Response">',
                    e(response), '</td><td data-label="Resolution">', e(resolution),
                    "</td></tr>\n"]
        out.append("</tbody>\n</table>\n</div>\n")
    if sla["credits"]:
        out += [table_open("Service credits"), "\n<table>\n<caption>Service credits</caption>\n"
                '<thead><tr><th scope="col">Availability below</th><th scope="col">Credit</th>'
                "</tr></thead>\n<tbody>\n"]
        for below, credit in sla["credits"]:
            out += ["<tr><td>", e(below), "%</td><td>", e(credit), "%</td></tr>\n"]
        out.append("</tbody>\n</table>\n</div>\n")
    return Markup("".join(out))


def raci_table(link: LinkWriter, matrix: dict[str, Any]) -> Markup:
    """A RACI matrix: one row per activity, one column per party (`services.raci_matrix`)."""
    e = fast_escape
    parties = matrix["parties"]
    out = [table_open("RACI matrix " + matrix["link"].text), '\n<table class="raci stack">\n'
           "<caption>", link(matrix["link"]), ": R responsible, A accountable, C consulted,"
           ' I informed</caption>\n<thead><tr><th scope="col">Activity</th>']
    out += [f'<th scope="col">{link(party)}</th>' for party in parties]
    out.append("</tr></thead>\n<tbody>\n")
    labels = [f'<td class="raci-cell" data-label="{e(party.text)}">' for party in parties]
    for row in matrix["rows"]:
        out += ['<tr><th scope="row">', e(row["title"]), "</th>"]
        out += [f"{label}{e(cell)}</td>" for label, cell in zip(labels, row["cells"], strict=True)]
        out.append("</tr>\n")
    out.append("</tbody>\n</table>\n</div>\n")
    return Markup("".join(out))


def accountability_table(link: LinkWriter, item: tuple[Link, list[dict[str, Any]]]) -> Markup:
    """Who is Accountable and Responsible for each activity of one RACI (`people.raci_roles`),
    with its link: each service page in the RACI's scope shows it."""
    raci_link, rows = item
    out = [table_open("Accountable and responsible, " + raci_link.text),
           '\n<table class="people stack">\n<caption>Who is accountable and responsible (',
           link(raci_link), "), with roles resolved through the config's roles mapping"
           '</caption>\n<thead><tr><th scope="col">Activity</th><th scope="col">Accountable'
           '</th><th scope="col">Responsible</th></tr></thead>\n<tbody>\n']
    for row in rows:
        out += ['<tr><th scope="row">', fast_escape(row["title"]),
                '</th><td data-label="Accountable">', holders_markup(link, row["A"]),
                '</td><td data-label="Responsible">', holders_markup(link, row["R"]),
                "</td></tr>\n"]
    out.append("</tbody>\n</table>\n</div>\n")
    return Markup("".join(out))


def link_list(link: LinkWriter, items: list[Link | None], empty: str = "none") -> Markup:
    """Links as an inline list, or a muted sentence when there are none."""
    if not items:
        return Markup(f'<p class="muted">{fast_escape(empty)}</p>\n')
    return Markup('<ul class="inline-list">\n' + "".join([f"<li>{link(item)}</li>\n"
                                                          for item in items]) + "</ul>\n")


def service_people(link: LinkWriter, owner: Link | None, owner_people: list[Link]) -> Markup:
    """The heading of a service's people and its owner team's members (the RACI tables
    follow, each an `accountability_table`)."""
    if owner_people:
        members = ": " + ", ".join([link(p) for p in owner_people])
    else:
        members = ' <span class="muted">(no members listed)</span>'
    return Markup(f'<h2 id="people">People</h2>\n<p>Owner team {link(owner)}{members}.</p>\n')


def service_impact(link: LinkWriter, title: str, dependencies: list[tuple[Link | None, str, str]],
                   dependents: list[tuple[Link, str]],
                   blast_radius: list[tuple[Link, int, bool]], blast_total: int) -> Markup:
    """A service's dependencies, dependents and blast radius (`services.service_fields`)."""
    e = fast_escape
    name = e(title)
    out = ["<h2>Dependencies</h2>\n"]
    if dependencies:
        out += [table_open("Dependencies"), '\n<table class="stack">\n<caption>Services ', name,
                ' depends on</caption>\n<thead><tr><th scope="col">Service</th>'
                '<th scope="col">Type</th><th scope="col">Why</th></tr></thead>\n<tbody>\n']
        out += [f'<tr><td data-label="Service">{link(target)}</td><td data-label="Type">'
                f'{e(kind)}</td><td data-label="Why">{e(why)}</td></tr>\n'
                for target, kind, why in dependencies]
        out.append("</tbody>\n</table>\n</div>\n")
    else:
        out.append('<p class="muted">No dependencies.</p>\n')
    out.append("<h2>Dependents</h2>\n")
    if dependents:
        out.append('<ul class="dependents">\n')
        out += [f"<li>{link(target)} ({e(kind)})</li>\n" for target, kind in dependents]
        out.append("</ul>\n")
    else:
        out += ['<p class="muted">No service depends on ', name, ".</p>\n"]
    out.append('<h2 id="blast-radius">Blast radius</h2>\n')
    if not blast_radius:
        out += ['<p class="muted">No other service is affected by an outage of ', name,
                ".</p>\n"]
        return Markup("".join(out))
    out += ["<p>An outage of ", name, " can affect <strong>", e(blast_total), "</strong> service",
            "s" if blast_total != 1 else "", ', directly or through other services. "Hard" means'
            " a chain of hard dependencies links them: they go down too.</p>\n",
            table_open("Blast radius"), '\n<table class="stack">\n<caption>Services affected'
            " by an outage of ", name, '</caption>\n<thead><tr><th scope="col">Service</th>'
            '<th scope="col">Hops</th><th scope="col">Impact</th></tr></thead>\n<tbody>\n']
    out += [f'<tr><td data-label="Service">{link(target)}</td><td data-label="Hops">{e(hops)}'
            f'</td><td data-label="Impact">{"hard" if hard else "degraded (soft)"}</td></tr>\n'
            for target, hops, hard in blast_radius]
    out.append("</tbody>\n</table>\n</div>\n")
    shown = len(blast_radius)
    if blast_total > shown:
        out += ["<p>The ", e(shown), " nearest are listed; ", e(blast_total - shown),
                " more are not.</p>\n"]
    return Markup("".join(out))


Writer = Callable[[LinkWriter, Any], Markup]
WRITERS: dict[str, Writer] = {"sla_section": sla_summary, "raci_section": raci_table,
                              "accountability_section": accountability_table}
"""The sections of one page-model object each, remembered (`remembered`): each a global of
every page under its name, bound to the page's root."""
PLAIN_WRITERS: dict[str, Callable[..., Markup]] = {
    "link_list": link_list, "people_section": service_people, "impact_section": service_impact}
"""The sections written for each page afresh (what they show differs per page), globals too."""


def remembered(write: Writer, link: LinkWriter) -> Callable[[Any], Markup]:
    """`write` with `link`, made once per page-model object: the models are built once per
    entity and process (`SiteInput.per_entity`) and only read by pages, so the same object
    is the same section. The entry keeps the object alive, so its id is not reused."""
    made: dict[int, tuple[Any, Markup]] = {}

    def section(value: Any) -> Markup:
        found = made.get(id(value))
        if found is not None and found[0] is value:
            return found[1]
        markup = write(link, value)
        made[id(value)] = (value, markup)
        return markup
    return section


def with_link(write: Callable[..., Markup], link: LinkWriter) -> Callable[..., Markup]:
    """`write` with `link` bound: a plain function, which Jinja calls without looking for a
    context marker (`render._fast_context_class`; a `functools.partial` would be searched)."""
    def section(*args: Any) -> Markup:
        return write(link, *args)
    return section
