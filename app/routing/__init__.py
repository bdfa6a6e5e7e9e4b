"""Routing: which agent channel and which agents get an escalation; how long the wait is."""
