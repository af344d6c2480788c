"""What an HTTP request that opens a stream (or polls) sends: its method, body and headers.

Plain functions the HTTP transports share (the SSE source declares ``method`` and ``body``
with them; a poll sends them as a stream's request does): a body is text, or ``@FILE``
read at each connect (each poll); a body that starts like JSON (``{`` or ``[``) must be
JSON, and is sent as ``application/json`` unless a header says otherwise. The checks raise
ValueError saying what is wrong, for the option's message.

Redirects are followed (:func:`http_client`), but the connection's own headers (every one
the operator gave: tokens, API keys, cookies) go only to the origin of its URL: a redirect
to another scheme, host or port gets none of them, and the log says so once (as curl's
``--location`` does with credentials; httpx and websockets drop only ``Authorization``
and ``Cookie``). The WebSocket source keeps to it with the same `CrossOriginGuard`.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import httpx
import orjson

from dashboard.core.text.inert import inert
from dashboard.core.transport.sourcekind import Option
from dashboard.sources.base import StopConnection
from dashboard.sources.http_client import closing_client

log = logging.getLogger("dashboard.sources.http")

SHOWN_URL_LIMIT = 200  # characters of a URL an error names (a server chose it)

METHODS = ("GET", "POST", "PUT", "PATCH", "QUERY")  # the methods a stream is read with
BODY_FILE_LIMIT = 1 << 20  # bytes of a --body @file read (a request body, not a data set)


def request_method(options: Mapping[str, Any]) -> str:
    """GET, or POST when a body is given, unless the ``method`` option says."""
    method = options.get("method")
    if method:
        return str(method).upper()
    return "POST" if options.get("body") else "GET"


def request_content(
    options: Mapping[str, Any], headers: dict[str, str]
) -> tuple[bytes | None, dict[str, str]]:
    """The body the options stand for (read now, for ``@FILE``) and *headers* with its
    Content-Type added unless they name one."""
    content = request_body(options.get("body"))
    if content is not None and not any(k.lower() == "content-type" for k in headers):
        headers = {**headers, "Content-Type": content_type(content)}
    return content, headers


def http_client(guard: CrossOriginGuard, timeout: httpx.Timeout, verify: Any) -> httpx.AsyncClient:
    """An HTTP connection's client: it follows redirects, its *guard* keeping the
    connection's own headers to its URL's origin, and closes a connection whose TLS
    handshake is cancelled (see :mod:`dashboard.sources.http_client`)."""
    return closing_client(
        timeout=timeout, verify=verify, follow_redirects=True, event_hooks={"request": [guard]}
    )


def origin(url: httpx.URL) -> tuple[str, str, int | None]:
    """Scheme, host and port (the default port of the scheme when none is written)."""
    port = url.port or {"http": 80, "https": 443, "ws": 80, "wss": 443}.get(url.scheme)
    return url.scheme, url.host, port


def shown_url(url: httpx.URL) -> str:
    """*url* as an error may show it: no userinfo, no query (a signed URL's token), inert."""
    bare = url.copy_with(query=None, fragment=None, username=None, password=None)
    return inert(str(bare), SHOWN_URL_LIMIT)


def answered_at(response: httpx.Response) -> str:
    """`` at URL`` after a redirect (the URL that answered), else nothing: for an error."""
    return f" at {shown_url(response.url)}" if response.history else ""


class CrossOriginGuard:
    """A connection's redirects, kept from carrying its own headers (*own_headers*: the
    names the operator gave) to another origin than its URL's. Called by httpx before each
    request (a hook): one that a redirect sends elsewhere goes without them and without
    any Cookie. The log says so once for each origin redirected to in a row (not at every
    reconnect)."""

    def __init__(self, name: str, url: str, own_headers: Collection[str]) -> None:
        self.name = name
        self.origin = origin(httpx.URL(url))
        self.own = list(own_headers)
        self.said = ""  # the origin it last said

    async def __call__(self, request: httpx.Request) -> None:
        if self.leaves(request.url):
            for name in (*self.own, "Cookie"):
                request.headers.pop(name, None)

    def leaves(self, url: httpx.URL | str) -> bool:
        """Whether *url* is of another origin than the connection's (said once, if so)."""
        url = httpx.URL(url)
        if origin(url) == self.origin:
            return False
        target = shown_url(url.copy_with(path="/"))
        if self.own and target != self.said:
            self.said = target
            log.warning(
                "%s: redirected to %s, another origin: the connection's headers are not "
                "sent there (%s)",
                self.name,
                target,
                ", ".join(self.own),
            )
        return True


def request_body(body: str | None) -> bytes | None:
    """The request body an option value stands for: the text, or ``@FILE``'s bytes read
    now (StopConnection saying why not, when it cannot be read)."""
    if body is None:
        return None
    if not body.startswith("@"):
        return body.encode()
    try:
        return read_body_file(body[1:])
    except ValueError as exc:
        raise StopConnection(f"body: {exc}") from None


def read_body_file(path: str) -> bytes:
    """The bytes of a body file; ValueError saying what is wrong with it."""
    try:
        with Path(path).open("rb") as file:
            content = file.read(BODY_FILE_LIMIT + 1)
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(content) > BODY_FILE_LIMIT:
        raise ValueError(f"{path} is over the {BODY_FILE_LIMIT:,}-byte limit of a body")
    json_problem(content, f"{path} is ")
    return content


def looks_like_json(content: bytes) -> bool:
    return content.lstrip()[:1] in (b"{", b"[")


def json_problem(content: bytes, what: str = "") -> None:
    """ValueError saying where *content* stops being JSON, if it starts like JSON (*what*
    it is starts the message: ``"request.json is "``)."""
    if not looks_like_json(content):
        return
    try:
        orjson.loads(content)
    except orjson.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}" if exc.lineno > 1 else f"column {exc.colno}"
        raise ValueError(f"{what}not valid JSON at {where}: {exc.msg}") from None


def content_type(content: bytes) -> str:
    """The Content-Type of a body no header names: JSON when it is JSON, else text."""
    return "application/json" if looks_like_json(content) else "text/plain; charset=utf-8"


def check_method(value: str) -> None:
    if value.upper() not in METHODS:
        raise ValueError(
            f"{value!r} is not an HTTP method a stream is read with: "
            f"expected {', '.join(METHODS[:-1])} or {METHODS[-1]}"
        )


def check_body(value: str) -> None:
    """A body that starts like JSON must be JSON; ``@FILE`` must be a readable file."""
    if value.startswith("@"):
        read_body_file(value[1:])
    else:
        json_problem(value.encode())


# The options, as an HTTP transport declares them (the SSE source does)
METHOD = Option(
    "method",
    str,
    description="the HTTP method: GET, or POST when there is a body",
    check=check_method,
    placeholder="GET (POST with a body)",
)
BODY = Option(
    "body",
    str,
    description="the request body, or @FILE to send a file read at connect time; "
    "JSON is checked and sent as application/json",
    check=check_body,
    placeholder='{"model": "m", "stream": true}  or  @request.json',
)
