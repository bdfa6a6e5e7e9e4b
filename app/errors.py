"""Errors that stop start-up with one clear line (no traceback)."""


class StartupError(Exception):
    """A setting, the config file or the database is not usable; the message names what and why."""
