"""What a workspace request can reach: the hub (for `repdesk.hub.admin` operations) and
the workspace's own state (its signing key)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from repdesk.hub.admin.hub import Hub
from repdesk.hub.api.state import HubState, hub_state

PREFIX = "/workspace"


@dataclass(frozen=True, slots=True)
class WorkspaceState:
    secret: bytes
    """Signs the sign-in form token and flash messages (see `signing`)."""


def workspace_state(request: Request) -> WorkspaceState:
    state: WorkspaceState = request.app.state.workspace
    return state


def hub_for(request: Request) -> Hub:
    """The hub behind this app, as the admin operations take it."""
    state: HubState = hub_state(request)
    return Hub(state.config, state.db, state.files)


def is_workspace_path(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


__all__ = [
    "PREFIX",
    "WorkspaceState",
    "client_address",
    "hub_for",
    "is_workspace_path",
    "workspace_state",
]
