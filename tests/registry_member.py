"""A registry member that tests name by reference: importing this module is what they watch for."""

from __future__ import annotations


def make(*args: object, **kwargs: object) -> tuple[tuple[object, ...], dict[str, object]]:
    return args, kwargs
