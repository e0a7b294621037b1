"""The one exception type for mistakes a person can fix: a bad argument, an unusable data
directory, a missing file, a week without data.

Raise :class:`UserError` from any command with a message of one or two lines that says what
is wrong and what to do. ``perp-fragility``'s ``main()`` prints it as ``error: <message>`` on
stderr and exits with :data:`USER_ERROR_EXIT` (``--debug`` shows the traceback instead);
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

USER_ERROR_EXIT = 2  # argparse's own code for a usage error


class UserError(Exception):
    """A mistake in the input or the environment, told to the user without a traceback."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
