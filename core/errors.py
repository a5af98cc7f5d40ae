"""The base of every error whose message is meant for the user (complete, one line, in Chinese)."""


class UserError(Exception):
    """str() is a complete one-line Chinese message; callers show it as it is, never a traceback."""
