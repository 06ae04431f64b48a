"""Helpers for the hostile-input tests: the corpus runner, its cases and file builders, the
identifier search, and the generated reliability page."""
