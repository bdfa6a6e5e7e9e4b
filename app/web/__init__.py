"""HTTP mode: the WSGI application (Slack endpoints and health check) and its servers."""
