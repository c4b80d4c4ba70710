"""Small reusable widgets: BANT card, readiness badge, call timer."""
