"""The client sync engine: push the outbox, pull changes, fetch collateral."""
