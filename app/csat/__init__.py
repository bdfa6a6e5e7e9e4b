"""Customer satisfaction: the post-escalation survey about the hand-off, and the lighter rating of
bot answers that solved it, kept apart."""
