"""X12 intake: envelopes and segments, the 835 and 837 parsers, and the 835 balancing identities."""
