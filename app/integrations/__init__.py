"""Deliveries to external trackers (Linear) through a transactional outbox, with PII redacted."""
