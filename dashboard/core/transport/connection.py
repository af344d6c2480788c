"""What to connect to, with which options: plain data the layout, the dialog and the
command line share. The machinery that connects (TLS, backoff, reading) is in ``sources``;
which transport reads a URL, and which options it takes, is in
:mod:`dashboard.core.transport.sourcekind`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from dashboard.core.events.decode import DEFAULT_MAX_FRAME_BYTES, EnvelopeKeys
from dashboard.core.text.redact import mark_secret, mark_url_secrets

DEFAULT_HEARTBEAT_TIMEOUT = 45.0

__all__ = ["DEFAULT_HEARTBEAT_TIMEOUT", "ConnectionSpec", "host_name"]


def host_name(url: str) -> str:
    """The generic name of a connection: its host (and port), without any credentials."""
    return urlsplit(url).netloc.rpartition("@")[2] or url


@dataclass
class ConnectionSpec:
    """Everything needed to open one connection; header values may hold ``${ENV}``.

    The fields are what every network transport shares; ``options`` holds a transport's
    own options by their declared names (:class:`~dashboard.core.transport.sourcekind.Option`), like
    WebSocket's ``subprotocol``. Without a name, it is named after its host; the source
    kinds name it better (``SourceKinds.spec``: a Redis connection after what it reads).
    """

    url: str
    name: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    verify: bool = True  # TLS certificate verification; False is --insecure
    ca_file: str | None = None
    heartbeat_timeout: float = DEFAULT_HEARTBEAT_TIMEOUT
    max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES
    keys: EnvelopeKeys = field(default_factory=EnvelopeKeys)
    options: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.name:
            self.name = host_name(self.url)
        self.mark_secrets()

    def mark_secrets(self, secret_options: tuple[str, ...] = ()) -> None:
        """Mark what this connection's settings hold as secret (core.text.redact), so that no log
        line shows it: its header values, the password in its URL and the options named in
        *secret_options* (what its kind declares secret). A ``${ENV}`` reference is a name,
        not a secret: its value is marked when it is read."""
        for value in self.headers.values():
            if "${" not in value:
                mark_secret(value)
        for name in secret_options:
            value = self.options.get(name)
            if isinstance(value, str) and value and "${" not in value:
                mark_secret(value)
        mark_url_secrets(self.url)

    @property
    def scheme(self) -> str:
        return urlsplit(self.url).scheme.lower()
