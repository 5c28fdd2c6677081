"""Writes of the architects' records, by noun. Each service validates, runs in one transaction, takes keywords
only, and records what it changed in the project's history."""
