"""A POST-only Server-Sent Events endpoint shaped like an LLM streaming API.

``POST /v1/chat/completions`` with a JSON body such as ``{"model": "m", "stream": true,
"chunks": 5}`` answers with that many ``chat.completion.chunk`` events (no ``id:`` lines,
as such APIs send them) and then ``data: [DONE]``, and ends the response; with
``"cut_utf8": true`` the first chunk's text ends in the middle of a character (invalid
UTF-8, as a careless server cuts it). A body that is
not a JSON object is answered 400, and any other method 405 (aiohttp's own answer). The
demo feed serves it beside ``/events``; tests read what it was sent.
"""

from __future__ import annotations

import orjson
from aiohttp import web

PATH = "/v1/chat/completions"
DEFAULT_CHUNKS = 5
MAX_CHUNKS = 10_000
REQUESTS_KEPT = 1_000  # the requests remembered for the tests: the newest


class CompletionEndpoint:
    """The endpoint and what it was asked. ``requests`` holds each request's method,
    headers and parsed body (the newest :data:`REQUESTS_KEPT`)."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str], object]] = []

    def add_to(self, app: web.Application) -> None:
        app.router.add_post(PATH, self._answer)

    async def _answer(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError:
            body = None
        self.requests.append((request.method, dict(request.headers), body))
        del self.requests[:-REQUESTS_KEPT]
        if not isinstance(body, dict):
            return web.Response(status=400, text="expected a JSON object")
        chunks = body.get("chunks", DEFAULT_CHUNKS)
        if not isinstance(chunks, int) or not 0 <= chunks <= MAX_CHUNKS:
            return web.Response(status=400, text=f"chunks: expected 0 to {MAX_CHUNKS}")
        model = str(body.get("model", "demo"))
        number = len(self.requests)
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        for index in range(chunks):
            chunk = {
                "id": f"chatcmpl-{number}",
                "object": "chat.completion.chunk",
                "model": model,
                "choices": [{"index": 0, "delta": {"content": f"word{index} "}}],
            }
            line = orjson.dumps(chunk)
            if index == 0 and body.get("cut_utf8") is True:
                line = line.replace(b"word0 ", b"word0 \xe2\x82")  # a euro sign cut short
            await response.write(b"data: " + line + b"\n\n")
        await response.write(b"data: [DONE]\n\n")
        await response.write_eof()
        return response
