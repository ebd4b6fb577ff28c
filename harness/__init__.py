"""Plumbing shared by the whole-stack checks (load test, benchmark)."""
