"""Errors with a message meant for the user."""


class InputError(Exception):
    """One input cannot be processed (binary, undecodable, too large, malformed record).

    The run records the message for that input and goes on with the rest."""
