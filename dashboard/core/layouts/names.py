"""The one unique-name rule, for connections: a name already taken gets the
first free ``-2``, ``-3``... after it (``web``, ``web-2``, ``web-3``); a name given as
``web-2`` stays as it is unless taken too."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["unique_name", "unique_names"]


def unique_name(wanted: str, taken: set[str] | frozenset[str]) -> str:
    """*wanted*, or the first of ``wanted-2``, ``wanted-3``... not in *taken*."""
    name, n = wanted, 1
    while name in taken:
        n += 1
        name = f"{wanted}-{n}"
    return name


def unique_names(wanted: Iterable[str]) -> list[str]:
    """The names in order, each made unique among those before it (``x``, ``x-2``, ``x``
    become ``x``, ``x-2``, ``x-3``)."""
    taken: set[str] = set()
    names = []
    for name in wanted:
        name = unique_name(name, taken)
        taken.add(name)
        names.append(name)
    return names
