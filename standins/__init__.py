"""Local stand-ins for what the bot talks to (Slack, an OpenAI-compatible server, the CRMs and
trackers), for the tests and the sandbox. Not part of the product package."""
