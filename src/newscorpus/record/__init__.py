"""The record: its schema and every derivation of it, building a record, the one table of
cross-field rules, split assignment and the ledger entry of an input."""
