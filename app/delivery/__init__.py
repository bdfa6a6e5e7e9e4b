"""Delivery: everything that leaves the process (Slack posts, emails, vendor calls) is stored
in the outbox in the transaction that causes it, then delivered once, retried, and dead-lettered
when it cannot be."""
