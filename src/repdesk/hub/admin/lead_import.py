"""Importing a leads file in the name of a workspace user: `admin.import_leads` (its
public signature, owned by the importers) and an audit entry "leads.import".

`import_leads` does not take an `actor` yet, so the entry is written in a second
transaction right after the import commits (a dry run writes none). When it does, this
moves into its transaction.
"""

from __future__ import annotations

from pathlib import Path

from repdesk.hub.admin import audit
from repdesk.hub.admin.hub import Hub
from repdesk.hub.admin.imports import LeadImportReport, import_leads


def import_leads_as(
    hub: Hub,
    path: Path,
    *,
    file_name: str,
    dry_run: bool = False,
    actor: str = audit.CLI_ACTOR,
) -> LeadImportReport:
    """Import (or dry-run) the leads file at `path`; `file_name` is the name it had for
    the user (text for the audit log, never a path). The audit entry is written by
    `import_leads` in the import's own transaction."""
    report = import_leads(hub, path, dry_run=dry_run, actor=actor, file_name=file_name)
    return report


__all__ = ["import_leads_as"]
