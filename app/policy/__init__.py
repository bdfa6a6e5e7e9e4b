"""The trigger matrix: signals, answer confidence, account and history to an auditable decision."""
