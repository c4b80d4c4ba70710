"""The hub's HTTP API (`/v1`): FastAPI routers, error mapping and request guards."""
