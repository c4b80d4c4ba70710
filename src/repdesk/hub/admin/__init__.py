"""Marketing's admin services on the hub database; every change is logged for reps' pulls."""

from __future__ import annotations

from repdesk.hub.admin import audit, users
from repdesk.hub.admin.assign import (
    WHERE_FIELDS,
    AssignReport,
    assign_by_rule,
    assign_from_csv,
    parse_where,
    unassign,
)
from repdesk.hub.admin.collateral import (
    CollateralInfo,
    add_collateral,
    detect_media_type,
    list_collateral,
    pdf_problem,
    retire_collateral,
)
from repdesk.hub.admin.feedback import FORMATS, FeedbackRow, export_feedback, feedback_rows
from repdesk.hub.admin.hub import Hub, HubNotInitialisedError, init_hub, open_hub
from repdesk.hub.admin.imports import (
    EventImportReport,
    LeadImportReport,
    import_events,
    import_leads,
)
from repdesk.hub.admin.reference import (
    TaxonomyChange,
    seed_defaults,
    set_rubric,
    set_taxonomy,
    validate_rubric,
    validate_taxonomy,
)
from repdesk.hub.admin.reps import (
    RepInfo,
    add_rep,
    disable_rep,
    enable_rep,
    generate_password,
    list_reps,
    reset_password,
)

__all__ = [
    "FORMATS",
    "audit",
    "users",
    "WHERE_FIELDS",
    "AssignReport",
    "CollateralInfo",
    "EventImportReport",
    "FeedbackRow",
    "Hub",
    "HubNotInitialisedError",
    "LeadImportReport",
    "RepInfo",
    "TaxonomyChange",
    "add_collateral",
    "add_rep",
    "assign_by_rule",
    "assign_from_csv",
    "detect_media_type",
    "disable_rep",
    "enable_rep",
    "export_feedback",
    "feedback_rows",
    "generate_password",
    "import_events",
    "import_leads",
    "init_hub",
    "list_collateral",
    "retire_collateral",
    "list_reps",
    "open_hub",
    "parse_where",
    "pdf_problem",
    "reset_password",
    "seed_defaults",
    "set_rubric",
    "set_taxonomy",
    "unassign",
    "validate_rubric",
    "validate_taxonomy",
]
