from tests.slack.conftest import rows, slack

__all__ = ["rows", "slack"]
