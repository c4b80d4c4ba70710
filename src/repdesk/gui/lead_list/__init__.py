"""The lead list: an id-backed table model, its filter bar and the view that hosts both."""
