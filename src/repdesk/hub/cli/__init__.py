"""`repdesk-hub`: the operator's command line over the same operations as the workspace."""
