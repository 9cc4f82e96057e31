"""The event log: the transactional outbox and the audit trail in one append-only table."""
