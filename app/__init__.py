"""Slack-native support escalation bot for Slack Connect channels."""

__version__ = "0.1.0"
