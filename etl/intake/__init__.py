"""File to contract rows: detect the kind, parse it, validate it, and say what was quarantined and why."""
