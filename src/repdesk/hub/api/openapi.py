"""The errors every `/v1` operation can answer, added to its OpenAPI entry.

Routes document what they mean (`responses=`); what the hub's plumbing answers for any
route is added here, once, so the published document never misses a status the hub sends:
`401` wherever a token is needed, `400 malformed_json` and `413 body_too_large` wherever a
body is read, and `422` in the hub's error shape rather than FastAPI's default.
"""

from __future__ import annotations

from typing import Any

_ERROR_BODY = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}

_WITH_A_TOKEN = {
    "401": "Missing, unknown, revoked or expired token, or the rep's account is disabled "
    "(codes missing_token, invalid_token, token_revoked, token_expired, account_disabled)",
}
_WITH_A_BODY = {
    "400": "The body is not JSON (code malformed_json)",
    "413": "The body is larger than the hub accepts (code body_too_large)",
    "422": "Invalid request (code invalid_request)",
}


def document_errors(operation: dict[str, Any]) -> None:
    """Add the plumbing's error answers to one OpenAPI operation object, in place."""
    responses: dict[str, Any] = operation.setdefault("responses", {})
    added: dict[str, str] = {}
    if operation.get("security"):
        added.update(_WITH_A_TOKEN)
    if "requestBody" in operation:
        added.update(_WITH_A_BODY)
    if "422" in responses:  # query and path parameters are checked too
        added["422"] = _WITH_A_BODY["422"]
    for status, description in added.items():
        # A route's own words win, except FastAPI's generic "Validation Error".
        known = responses.get(status, {}).get("description", "")
        if status == "422" or not known:
            known = description
        responses[status] = {"description": known, "content": _ERROR_BODY}


__all__ = ["document_errors"]
