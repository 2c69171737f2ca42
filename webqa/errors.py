"""Errors a user can act on. Only `webqa.cli` turns them into messages and exit codes."""

from __future__ import annotations


class WebqaError(Exception):
    """A mistake in the user's input or setup; the message says what to do about it."""

    exit_code = 1


class InputError(WebqaError):
    """A source, corpus or question file that cannot be read as given."""

    exit_code = 2


class IndexNotFoundError(WebqaError):
    """No built index under the requested name."""


class IndexIncompatibleError(WebqaError):
    """An index built with another embedding model or an older format."""


class IndexDamagedError(WebqaError):
    """An index folder whose files are missing or unreadable."""


class FetchError(WebqaError):
    """A URL that could not be fetched (refused, unreachable, too large, wrong type)."""
