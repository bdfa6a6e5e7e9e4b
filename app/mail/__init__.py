"""Email to customers who asked to be followed up by email (SMTP)."""
