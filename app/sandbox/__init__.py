"""A local, strict stand-in for Slack (Web API and signed requests) for tests and the demo."""
