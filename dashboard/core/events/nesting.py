"""How deep JSON may nest: MAX_DEPTH levels of objects and arrays, wherever it comes in.

orjson reads 1,024 levels but writes at most 254, and the standard library's ``json``
recurses once per level, so a value read from a feed cannot always be written again. No
real event nests more than a few levels: JSON deeper than MAX_DEPTH is rejected (the
reason :data:`TOO_DEEP`) by the decoder, the record reader, and every transport that reads
a message and writes part of it again as a frame (webhooks, WebSocket presets and split
arrays, Kubernetes relists), before it writes anything (:func:`too_deep`). What shows or
writes a value (:func:`json_bytes`) survives one that got past them all the same.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

__all__ = ["MAX_DEPTH", "TOO_DEEP", "json_bytes", "too_deep"]

MAX_DEPTH = 64
TOO_DEEP = f"JSON nested deeper than {MAX_DEPTH} levels"
CUT = f"… (nested deeper than {MAX_DEPTH} levels)"  # what json_bytes writes past MAX_DEPTH


def too_deep(value: Any, text: bytes | None = None) -> bool:
    """Whether *value* nests objects and arrays deeper than MAX_DEPTH. With *text*, the JSON
    it was read from (or any JSON holding it), the brackets are counted first: a text nests
    only as deep as it has them, and most have few (this runs for every frame)."""
    if text is not None and (
        len(text) <= 2 * MAX_DEPTH or text.count(b"[") + text.count(b"{") <= MAX_DEPTH
    ):
        return False
    level = [(value, 1)]
    while level:  # no recursion: the value may be as deep as orjson reads (1,024)
        item, depth = level.pop()
        if depth > MAX_DEPTH:
            return True
        if type(item) is dict or type(item) is list:
            children = item.values() if type(item) is dict else item
            level.extend((child, depth + 1) for child in children if type(child) in (dict, list))
    return False


def json_bytes(value: Any, option: int = 0) -> bytes:
    """*value* as JSON (orjson *option* flags), whatever it holds: past MAX_DEPTH levels
    the rest is cut (:data:`CUT` in its place), an integer beyond 64 bits is written by the
    standard library, anything else not JSON as its ``str``. For showing and writing out a
    value; frames are checked with :func:`too_deep` instead."""
    try:
        return orjson.dumps(value, default=str, option=option)
    except TypeError:  # too deep, or an integer beyond 64 bits
        pass
    if too_deep(value):
        value = _cut(value)
        try:
            return orjson.dumps(value, default=str, option=option)
        except TypeError:
            pass
    indent = 2 if option & orjson.OPT_INDENT_2 else None
    return json.dumps(value, indent=indent, ensure_ascii=False, default=str).encode()


def _cut(value: Any) -> Any:
    """A copy of *value* with what nests deeper than MAX_DEPTH replaced by CUT (no recursion)."""
    if type(value) is not dict and type(value) is not list:
        return value
    copy: Any = {} if type(value) is dict else []
    todo = [(value, copy, 1)]
    while todo:
        item, into, depth = todo.pop()
        pairs = item.items() if type(item) is dict else enumerate(item)
        for key, child in pairs:
            if type(child) is dict or type(child) is list:
                if depth >= MAX_DEPTH:
                    child_copy: Any = CUT
                else:
                    child_copy = {} if type(child) is dict else []
                    todo.append((child, child_copy, depth + 1))
            else:
                child_copy = child
            if type(into) is dict:
                into[key] = child_copy
            else:
                into.append(child_copy)
    return copy
