"""repdesk-hub: marketing's server (ASGI app, models, importers, CLI)."""
