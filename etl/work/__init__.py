"""The biller's work queue: work items on worklist claims (owner, status, follow-up, notes), appeals and their outcomes."""
