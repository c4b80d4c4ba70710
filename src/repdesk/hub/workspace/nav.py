"""The workspace menu, declared in one place: add a section with one `NavEntry` line.

Groups, in menu order: "Reports" (what reps send back), "Act" (what marketing changes),
"Admin". Planned entries not built yet: Lead quality, Speed to lead, Objections,
Qualification, Collateral (reports); Rubric, Objection answers, Leads, Reps, Collateral
library (act).
"""

from __future__ import annotations

from dataclasses import dataclass

from repdesk.hub.workspace.access import Access, allows
from repdesk.hub.workspace.context import PREFIX
from repdesk.hub.workspace.reporting.catalog import PAGES as REPORT_PAGES

GROUPS = ("Reports", "Act", "Admin")


@dataclass(frozen=True, slots=True)
class NavEntry:
    label: str
    path: str
    access: Access
    group: str
    summary: str = ""
    """One line for the Overview's section cards."""

    def is_current(self, path: str) -> bool:
        """Whether `path` (a request path) belongs to this entry."""
        if self.path == PREFIX + "/":
            return path in (PREFIX, PREFIX + "/")
        return path == self.path or path.startswith(self.path.rstrip("/") + "/")


NAV: tuple[NavEntry, ...] = (
    NavEntry("Overview", f"{PREFIX}/", Access.MARKETING, "Reports", "The figures at a glance."),
    *(
        NavEntry(page.title, page.path, Access.MARKETING, "Reports", page.summary)
        for page in REPORT_PAGES
    ),
    NavEntry(
        "Rubric",
        f"{PREFIX}/rubric",
        Access.MARKETING,
        "Act",
        "What makes a lead sales-ready, and the objection taxonomy.",
    ),
    NavEntry(
        "Objection answers",
        f"{PREFIX}/answers",
        Access.MARKETING,
        "Act",
        "Which assets answer each objection reps hear.",
    ),
    NavEntry("Leads", f"{PREFIX}/leads", Access.MARKETING, "Act", "Import leads, assign them."),
    NavEntry("Reps", f"{PREFIX}/reps", Access.MARKETING, "Act", "Reps' accounts and passwords."),
    NavEntry(
        "Collateral library",
        f"{PREFIX}/collateral",
        Access.MARKETING,
        "Act",
        "The files reps send: upload, tag, retire.",
    ),
    NavEntry(
        "People", f"{PREFIX}/people", Access.ADMIN, "Admin", "Who can sign in to the workspace."
    ),
    NavEntry(
        "Audit log", f"{PREFIX}/audit", Access.ADMIN, "Admin", "Every change, who made it, when."
    ),
)


@dataclass(frozen=True, slots=True)
class NavGroup:
    name: str
    entries: tuple[NavEntry, ...]


def nav_for(role: str) -> tuple[NavGroup, ...]:
    """The menu a user of `role` sees, by group (empty groups left out)."""
    groups = []
    for name in GROUPS:
        entries = tuple(e for e in NAV if e.group == name and allows(role, e.access))
        if entries:
            groups.append(NavGroup(name, entries))
    return tuple(groups)


__all__ = ["GROUPS", "NAV", "NavEntry", "NavGroup", "nav_for"]
