"""The httpx client the HTTP sources read with: httpx's own, except that a connection
whose TLS handshake is cancelled is closed.

httpcore (1.0.x) closes a TCP connection whose TLS handshake fails with an error
(``except Exception`` in ``AnyIOStream.start_tls``, ``httpcore/_backends/anyio.py``) but
not one whose handshake is cancelled (``CancelledError`` is no ``Exception``), and the
connection object that opened it (``AsyncHTTPConnection._connect``,
``httpcore/_async/connection.py``) keeps no hold of it, so closing the client cannot close
it either. A source stopped in the middle of a handshake (a disconnect, the window
closing) left its socket for the garbage collector: "unclosed transport". The network
backend below closes it on any way out of the handshake but success.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx


def closing_client(*, verify: ssl.SSLContext, **settings: Any) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient(verify=..., **settings)``, its connections closed however
    a handshake ends."""
    transport = httpx.AsyncHTTPTransport(verify=verify)
    pool = transport._pool  # (httpx has no option for httpcore's network backend)
    pool._network_backend = HandshakeClosingBackend(pool._network_backend)
    return httpx.AsyncClient(verify=verify, transport=transport, **settings)


class HandshakeClosingBackend(httpcore.AsyncNetworkBackend):
    """*backend*'s connections, closed when their TLS handshake does not succeed."""

    def __init__(self, backend: httpcore.AsyncNetworkBackend) -> None:
        self.backend = backend

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        stream = await self.backend.connect_tcp(host, port, timeout, local_address, socket_options)
        return HandshakeClosingStream(stream)

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        stream = await self.backend.connect_unix_socket(path, timeout, socket_options)
        return HandshakeClosingStream(stream)

    async def sleep(self, seconds: float) -> None:
        await self.backend.sleep(seconds)


class HandshakeClosingStream(httpcore.AsyncNetworkStream):
    """*stream*, closed when its TLS handshake is cancelled (or fails: closed twice, no
    harm); the encrypted stream is httpcore's own."""

    def __init__(self, stream: httpcore.AsyncNetworkStream) -> None:
        self.stream = stream

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self.stream.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self.stream.write(buffer, timeout)

    async def aclose(self) -> None:
        await self.stream.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            return await self.stream.start_tls(ssl_context, server_hostname, timeout)
        except BaseException:
            await self.stream.aclose()  # (anyio aborts the transport before it yields)
            raise

    def get_extra_info(self, info: str) -> Any:
        return self.stream.get_extra_info(info)
