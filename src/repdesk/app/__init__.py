"""Composition root: wires store + sync + GUI (or the CLI) together, and the demo mode."""
