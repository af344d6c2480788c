"""The demo feed, also written into Redis: a stream and a channel per event type, so the
whole chain (producer -> Redis -> dashboard) can be shown on one machine."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qs, urlsplit

from dashboard.feed.demo import FeedEvent

log = logging.getLogger("dashboard.feed.redis")

DEFAULT_STREAM = "demo:events"
CHANNEL_PREFIX = "demo."  # events are published on demo.<type>
STREAM_LENGTH = 100_000  # the stream is trimmed to about this many entries


class RedisPublisher:
    """XADDs every demo event (its JSON in the field ``event``) to a stream, and PUBLISHes
    it on ``demo.<type>``. *url* is ``redis://host:port/db``, ``?stream=NAME`` optional."""

    def __init__(self, url: str) -> None:
        import redis.asyncio as aioredis

        parts = urlsplit(url)
        self.stream = (parse_qs(parts.query).get("stream") or [DEFAULT_STREAM])[-1]
        self.url = parts._replace(query="").geturl()
        self._client: Any = aioredis.Redis.from_url(self.url, socket_connect_timeout=5)
        self.published = 0
        self._failing = False

    async def check(self) -> None:
        """Raise the client's error now if Redis cannot be reached (before serving)."""
        await self._client.ping()

    async def publish(self, events: Sequence[FeedEvent]) -> None:
        """Write *events*; a failure is logged once (the feed goes on, and so do retries)."""
        from redis.exceptions import RedisError

        pipe = self._client.pipeline(transaction=False)
        for event in events:
            pipe.xadd(
                self.stream,
                {"event": event.line},
                maxlen=STREAM_LENGTH,
                approximate=True,
            )
            pipe.publish(f"{CHANNEL_PREFIX}{event.type}", event.line)
        try:
            await pipe.execute()
        except (RedisError, OSError) as exc:
            if not self._failing:
                log.warning("cannot write to Redis at %s: %s (retrying)", self.url, exc)
            self._failing = True
            return
        if self._failing:
            log.warning("writing to Redis at %s again", self.url)
        self._failing = False
        self.published += len(events)

    async def aclose(self) -> None:
        await self._client.aclose()
