"""Right-to-left text inside left-to-right lines (a JSON view): each quoted string that
holds right-to-left letters is wrapped in FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE
(U+2068, U+2069), so Arabic or Hebrew reads right to left in its place while the quotes,
colons, commas and numbers around it keep their order, and a line that starts with such a
key is not turned into a right-to-left paragraph (Unicode bidi rules X5c, P2).

The isolates are added for showing only: :func:`strip_isolates` takes them out of text
copied from the view. (Pretty JSON escapes any isolate the data itself holds as ``\\u2068``,
so every raw U+2068/U+2069 in a line is one of ours.)
"""

from __future__ import annotations

import dataclasses
import re

from dashboard.core.panels.prettyjson import Line, Token

FSI = "\u2068"
PDI = "\u2069"
# Hebrew, Arabic, Syriac, Thaana, NKo, Samaritan, Mandaic..., their presentation forms,
# and the right-to-left blocks past the BMP.
_RIGHT_TO_LEFT = re.compile(
    "[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\U00010800-\U00010fff\U0001e800-\U0001efff]"
)
_ISOLATES = str.maketrans("", "", FSI + PDI)
_QUOTED = ("key", "string")


def has_right_to_left(text: str) -> bool:
    return _RIGHT_TO_LEFT.search(text) is not None


def isolated(line: Line) -> Line:
    """*line* with the inside of each quoted key or string that holds right-to-left text
    isolated; its tokens moved to match. A line without such text is returned as it is."""
    if not has_right_to_left(line.text):
        return line
    text = line.text
    pieces: list[str] = []
    tokens: list[Token] = []
    done = shift = 0
    for token in line.tokens:
        end = token.start + token.length
        inner = text[token.start + 1 : end - 1]
        quoted = token.kind in _QUOTED and token.length >= 2 and text[token.start] == '"'
        if quoted and has_right_to_left(inner):
            pieces += [text[done : token.start + 1], FSI, inner, PDI]
            done = end - 1
            tokens.append(Token(token.start + shift, token.length + 2, token.kind))
            shift += 2
        else:
            tokens.append(dataclasses.replace(token, start=token.start + shift))
    pieces.append(text[done:])
    return dataclasses.replace(line, text="".join(pieces), tokens=tuple(tokens))


def strip_isolates(text: str) -> str:
    """*text* without the isolates :func:`isolated` added."""
    return text.translate(_ISOLATES)
