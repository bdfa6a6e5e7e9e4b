"""Block Kit builders: pure functions from domain objects to ``slack_sdk.models`` blocks."""

from slack_sdk.models.blocks import Block as Block  # what the builders return
