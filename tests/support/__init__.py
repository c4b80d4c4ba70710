"""Test support shared by every test package: data that lives inside the repository."""
