"""Secrets taken out of text that leaves the app (crash reports, log lines): credentials in
headers, tokens and URLs are replaced by a mask, whatever else the text says.

Two kinds of rule. By their shape: a URL's userinfo, ``Bearer``/``Basic`` credentials, the
value of a header or a field whose name says it holds a secret (``Authorization``,
``Proxy-Authorization``, ``Cookie``, ``Set-Cookie``, ``X-API-Key``, ``api_key``, ``token``,
``password``...), written as a header line, ``name=value``, a dict or a ``(b'name',
b'value')`` pair. And by their value: what the operator gave as a secret (header values,
passwords in URLs, the values read from ``${ENV_VAR}``) is registered with `mark_secret`
when a connection is made or connects, and masked wherever it appears, in whatever words
a library wraps it.

The registry is process-wide, like logging itself: a library's log line may carry a
secret, and the filter on the root handler (`dashboard.core.text.safelog`) cannot be handed
one per connection. It is bounded (`MAX_SECRETS` values, the oldest forgotten first: a
rotated token is no longer sent) and holds values of at least `MIN_SECRET_LENGTH`
characters (a shorter one would mask common words; the rules by shape still apply).
"""

from __future__ import annotations

import base64
import re
import threading
from collections import OrderedDict
from urllib.parse import unquote, urlsplit

__all__ = [
    "MASK",
    "MAX_SECRETS",
    "MIN_SECRET_LENGTH",
    "mark_secret",
    "mark_url_secrets",
    "redact",
]

MASK = "••••"
MIN_SECRET_LENGTH = 4
MAX_SECRETS = 1000

# A field name that says its value is a credential (a header, a key of a dict, name=value).
_SECRET_NAME = (
    r"[\w-]*(?:authorization|cookie|token|secret|password|passwd|api[-_]?key|apikey)[\w-]*"
)
# A header whose whole value is a credential, whatever its scheme.
_SECRET_HEADER = (
    r"(?:proxy-)?authorization|(?:set-)?cookie|[\w-]*api[-_]?key|x-[\w-]*(?:token|secret)"
)
# Authorization schemes, kept in sight before the mask: "Authorization: Bearer ••••".
_SCHEMES = r"(?:bearer|basic|digest|token|negotiate|ntlm)\b"

_RULES = (
    # A header line (a library's dump of a request: "> Authorization: Bearer abc"): the
    # whole value, to the end of the line.
    (
        re.compile(
            rf"(?i)(?<![\w'\"-])((?:{_SECRET_HEADER})(?>[ \t]*:[ \t]*)(?>(?:{_SCHEMES}[ \t]+)?))"
            rf"(?!{MASK})[^\r\n]+"
        ),
        rf"\1{MASK}",
    ),
    # ('Set-Cookie', 'sid=abc') / (b'authorization', b'Basic abc') in a repr of headers
    (
        re.compile(rf"""(?i)(b?(["'])(?:{_SECRET_HEADER})\2\s*,\s*b?(["']))(?:(?!\3).)+"""),
        rf"\1{MASK}",
    ),
    # Bearer abc / Basic abc (in a repr, an error message)
    (re.compile(rf"(?i)\b(bearer|basic)(\s+)(?!{MASK})[A-Za-z0-9._~+/=-]{{4,}}"), rf"\1\2{MASK}"),
    # a URL's password: scheme://user:secret@host
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s:/@]*):[^\s@/]+@"), rf"\1:{MASK}@"),
    # a URL's userinfo without a password is a token too: https://TOKEN@host
    (re.compile(rf"(?i)\b([a-z][a-z0-9+.-]*://)(?!{MASK})[^\s:/@]+@"), rf"\1{MASK}@"),
    # name = value / name: value / 'name': 'value' for names that hold secrets
    (
        re.compile(
            rf"""(?ix)
            (["']?\b{_SECRET_NAME}["']?
            \s*[:=]\s*)
            (["']?)(?!{MASK}|{_SCHEMES}\s)[^\s"',}}]+"""
        ),
        rf"\1\2{MASK}",
    ),
)


class _Secrets:
    """The values the operator marked secret, and one pattern that finds any of them."""

    def __init__(self) -> None:
        self._values: OrderedDict[str, None] = OrderedDict()
        self._pattern: re.Pattern[str] | None = None
        self._lock = threading.Lock()

    def add(self, value: str) -> None:
        if len(value) < MIN_SECRET_LENGTH or value == MASK:
            return
        with self._lock:
            if value in self._values:
                self._values.move_to_end(value)
                return
            self._values[value] = None
            while len(self._values) > MAX_SECRETS:
                self._values.popitem(last=False)
            # Longest first: a secret that contains another is masked whole.
            ordered = sorted(self._values, key=len, reverse=True)
            self._pattern = re.compile("|".join(map(re.escape, ordered)))

    def mask(self, text: str) -> str:
        pattern = self._pattern
        return text if pattern is None else pattern.sub(MASK, text)


_SECRETS = _Secrets()


def mark_secret(value: str | None) -> None:
    """From now on, mask *value* wherever it appears in text `redact` is given; of a value
    of the form ``Scheme credentials`` (an Authorization header's), the credentials."""
    if not value:
        return
    value = value.strip()
    scheme, space, credentials = value.partition(" ")
    if space and re.fullmatch(_SCHEMES, scheme, re.IGNORECASE):  # "Bearer abc": the scheme stays
        _SECRETS.add(credentials.strip())
    else:
        _SECRETS.add(value)


def mark_url_secrets(url: str) -> None:
    """Mark the password (or token) in *url*'s userinfo as secret: as written, decoded, and
    as the ``user:password`` a client sends in a Basic Authorization header. (Not a
    ``${ENV}`` reference: what it names is marked when it is read.)"""
    try:
        parts = urlsplit(url)
        user, password = parts.username, parts.password
    except ValueError:
        return
    if password is None:
        if user and "${" not in user and "@" in parts.netloc:  # https://TOKEN@host
            mark_secret(user)
            mark_secret(unquote(user))
        return
    if "${" in password:  # a reference: its value is marked as it is read
        return
    mark_secret(password)
    mark_secret(unquote(password))
    basic = f"{unquote(user or '')}:{unquote(password)}".encode()
    mark_secret(base64.b64encode(basic).decode("ascii"))


def redact(text: str) -> str:
    """*text* with every credential it shows masked: the values marked secret, and the
    credentials recognisable by their shape. Shapes first: a marked value that is only the
    start of another token ("s3cr3t" in "Bearer s3cr3t-t0ken") must not leave the rest of it
    in sight."""
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return _SECRETS.mask(text)
