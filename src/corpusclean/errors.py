"""Errors with a message meant for the user."""


class InputError(Exception):
    """One input cannot be processed (binary, undecodable, too large, malformed record).

    The run records the message for that input and goes on with the rest."""


class UsageError(ValueError):
    """A run refused before anything is written: IN missing, OUT inside IN, a bad option.

    The command line shows the message as "Error: ..." and exits 1."""
