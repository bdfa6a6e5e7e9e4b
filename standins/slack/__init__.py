"""A strict local stand-in for the Slack Web API, and requests signed as Slack signs them."""
