"""Marketing's admin services on the hub database; every change is logged for reps' pulls."""

from __future__ import annotations

from repdesk.hub.admin import audit, rubric_history, taxonomy, users
from repdesk.hub.admin.assign import (
    WHERE_FIELDS,
    AssignReport,
    assign_by_rule,
    assign_from_csv,
    parse_where,
    unassign,
)
from repdesk.hub.admin.client_builds import (
    ClientBuildInfo,
    add_build,
    list_builds,
    retire_build,
)
from repdesk.hub.admin.collateral import (
    CollateralInfo,
    add_collateral,
    campaign_names,
    detect_media_type,
    list_collateral,
    pdf_problem,
    retire_collateral,
    tag_collateral,
    untag_collateral,
)
from repdesk.hub.admin.feedback import FORMATS, FeedbackRow, export_feedback, feedback_rows
from repdesk.hub.admin.hub import Hub, HubNotInitialisedError, init_hub, open_hub
from repdesk.hub.admin.imports import (
    EventImportReport,
    LeadImportReport,
    import_events,
    import_leads,
)
from repdesk.hub.admin.lead_import import import_leads_as
from repdesk.hub.admin.reference import (
    PublishedRubric,
    TaxonomyChange,
    apply_taxonomy,
    publish_rubric,
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
    get_rep,
    list_reps,
    reset_password,
)

__all__ = [
    "FORMATS",
    "audit",
    "rubric_history",
    "taxonomy",
    "users",
    "WHERE_FIELDS",
    "AssignReport",
    "ClientBuildInfo",
    "CollateralInfo",
    "EventImportReport",
    "FeedbackRow",
    "Hub",
    "HubNotInitialisedError",
    "LeadImportReport",
    "PublishedRubric",
    "RepInfo",
    "TaxonomyChange",
    "add_build",
    "add_collateral",
    "add_rep",
    "apply_taxonomy",
    "assign_by_rule",
    "campaign_names",
    "assign_from_csv",
    "detect_media_type",
    "disable_rep",
    "enable_rep",
    "export_feedback",
    "feedback_rows",
    "generate_password",
    "get_rep",
    "import_events",
    "import_leads",
    "import_leads_as",
    "init_hub",
    "list_builds",
    "list_collateral",
    "retire_build",
    "retire_collateral",
    "list_reps",
    "open_hub",
    "parse_where",
    "pdf_problem",
    "publish_rubric",
    "reset_password",
    "seed_defaults",
    "set_rubric",
    "set_taxonomy",
    "tag_collateral",
    "unassign",
    "untag_collateral",
    "validate_rubric",
    "validate_taxonomy",
]
