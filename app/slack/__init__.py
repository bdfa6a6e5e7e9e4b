"""Everything that speaks Slack: the Bolt app, listeners, Block Kit builders, the client."""
