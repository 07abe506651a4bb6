"""Who may see what: local accounts, the role policy, and the hash-chained access trail."""
