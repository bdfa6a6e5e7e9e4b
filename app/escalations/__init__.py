"""Escalations: hand-off to a person, claim once, reassign, resolve, follow up later."""
