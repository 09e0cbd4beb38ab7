"""The errors services raise for the layers above to translate: a state that forbids the action
(409), a write based on an older version (409 with the current one)."""


class StateConflict(Exception):
    """The review's state (or a concurrent change) forbids the action: 409 in the API."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class StaleVersion(Exception):
    """The write was based on an older version: 409 with ``opinion`` (the current one)."""

    def __init__(self, opinion):
        super().__init__(f"stale: current version is {opinion.version}")
        self.opinion = opinion
