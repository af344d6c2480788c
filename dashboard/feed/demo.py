"""The demo operation: hosts reporting metrics, an order pipeline, logins and alerts.

It uses the event shapes operators meet in practice, so the demo exercises every envelope
the decoder knows: ``metrics.update`` and ``alert`` as SSE event names with flat JSON,
orders as ``{type, data}``, payments as CloudEvents, logins in the
``what/when/who/where/details`` shape. Deterministic for a given seed.
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

HOSTS = ("web-1", "web-2", "db-1")
MEMORY_TOTAL_MB = 8192
DEVICES = ("iPhone 14", "Pixel 8", "Firefox on Linux", "Chrome on Windows", "Safari on macOS")
WHERE = ("mobile-app", "web", "web", "partner-api")
CARRIERS = ("DHL", "UPS", "PostNL", "bike courier")
SKUS = ("pizza-margherita", "pad-thai", "ramen", "falafel-wrap", "caesar-salad", "tiramisu")
PIPELINE = (
    "order.placed",
    "payment.processed",
    "inventory.updated",
    "email.sent",
    "delivery.dispatched",
)


@dataclass(slots=True)
class FeedEvent:
    """One event as the feed sent it.

    *type* is the type the dashboard should show; *body* is the JSON sent as ``data``
    (None for a deliberately broken frame, whose *junk* says how it is broken).
    """

    id: int
    type: str
    body: Any
    frame: bytes  # the whole SSE frame
    sse_event: str | None = None
    junk: str | None = None
    line: bytes = b""  # the same event as one JSON line, for WebSocket (type inside)


@dataclass(slots=True)
class _Host:
    name: str
    cpu: float
    memory: float
    requests: float
    alerting: bool = False


@dataclass(slots=True)
class _Order:
    order_id: str
    amount: float
    sku: str
    step: int = 0


def iso(epoch: float) -> str:
    """ISO 8601 UTC with milliseconds, as producers usually write it."""
    return (
        datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )


@dataclass
class DemoScenario:
    """Makes the next event of the demo operation on each call to :meth:`next`."""

    seed: int | None = None
    junk: float = 0.0  # share of frames deliberately broken (dead-letter demo and tests)
    rng: random.Random = field(init=False)
    _next_id: int = field(init=False, default=1)
    _round: int = field(init=False, default=0)
    _order_no: int = field(init=False, default=1000)
    _orders: deque[_Order] = field(init=False, default_factory=deque)
    _hosts: list[_Host] = field(init=False)
    _pending_alerts: deque[tuple[str, Any]] = field(init=False, default_factory=deque)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self._hosts = [
            _Host(
                name,
                cpu=self.rng.uniform(20, 45),
                memory=self.rng.uniform(2500, 4500),
                requests=self.rng.uniform(80, 160),
            )
            for name in HOSTS
        ]

    def next(self, now: float) -> FeedEvent:
        event_id = self._next_id
        self._next_id += 1
        if self.junk and self.rng.random() < self.junk:
            return self._junk(event_id)
        if self._pending_alerts:
            sse_event, body = self._pending_alerts.popleft()
            return _frame(event_id, "alert", body, sse_event)
        roll = self.rng.random()
        if roll < 0.25:
            return self._metrics(event_id, now)
        if roll < 0.88:
            return self._order_step(event_id, now)
        return self._login(event_id, now)

    # -- the kinds of event ------------------------------------------------------------
    def _metrics(self, event_id: int, now: float) -> FeedEvent:
        host = self._hosts[self._round % len(self._hosts)]
        self._round += 1
        rng = self.rng
        spike = 35.0 if rng.random() < 0.01 else 0.0
        host.cpu = _clamp(host.cpu + rng.gauss(0, 4) + spike + (35 - host.cpu) * 0.05, 1, 100)
        host.memory = _clamp(host.memory + rng.gauss(0, 60), 900, MEMORY_TOTAL_MB * 0.98)
        host.requests = _clamp(host.requests + rng.gauss(0, 12), 5, 900)
        errors = sum(rng.random() < (0.02 + max(0.0, host.cpu - 80) / 60) for _ in range(4))
        body = {
            "source": host.name,
            "time": iso(now),
            "cpu": round(host.cpu, 1),
            "memory": round(host.memory),
            "requests": round(host.requests),
            "errors": errors,
        }
        self._check_alert(host, now)
        return _frame(event_id, "metrics.update", body, "metrics.update")

    def _check_alert(self, host: _Host, now: float) -> None:
        if host.cpu >= 90 and not host.alerting:
            host.alerting = True
            self._alert(
                "critical",
                host,
                now,
                f"CPU on {host.name} at {host.cpu:.0f}%",
                alertname="HighCPU",
                cpu=round(host.cpu, 1),
            )
        elif host.cpu < 75 and host.alerting:
            host.alerting = False
            self._alert(
                "info",
                host,
                now,
                f"CPU on {host.name} back to {host.cpu:.0f}%",
                alertname="HighCPU",
                cpu=round(host.cpu, 1),
            )
        elif host.memory > MEMORY_TOTAL_MB * 0.9 and self.rng.random() < 0.05:
            self._alert(
                "warning",
                host,
                now,
                f"Memory on {host.name} at {host.memory:,.0f} MB",
                alertname="HighMemory",
                memory=round(host.memory),
            )

    def _alert(self, severity: str, host: _Host, now: float, message: str, **fields: Any) -> None:
        """Queue an ``alert`` event; it goes out as the next event. Each names itself
        (``alertname``): a host's CPU and memory alerts are two alerts, not one."""
        body = {
            "severity": severity,
            "source": host.name,
            "time": iso(now),
            "message": message,
            **fields,
        }
        self._pending_alerts.append(("alert", body))

    def _order_step(self, event_id: int, now: float) -> FeedEvent:
        rng = self.rng
        if not self._orders or (len(self._orders) < 40 and rng.random() < 0.3):
            self._order_no += 1
            order = _Order(f"ord-{self._order_no}", round(rng.uniform(8, 120), 2), rng.choice(SKUS))
            self._orders.append(order)
            body = {
                "type": "order.placed",
                "time": iso(now),
                "source": "orders",
                "data": {
                    "order_id": order.order_id,
                    "customer": f"user-{rng.randint(1, 500)}",
                    "sku": order.sku,
                    "quantity": rng.randint(1, 4),
                    "total": order.amount,
                },
            }
            return _frame(event_id, "order.placed", body)
        order = self._orders[0]
        order.step += 1
        step = PIPELINE[order.step]
        if step == "payment.processed":
            if rng.random() < 0.02:
                self._orders.popleft()
                body = {
                    "type": "payment.failed",
                    "severity": "warning",
                    "time": iso(now),
                    "source": "payments",
                    "data": {
                        "order_id": order.order_id,
                        "amount": order.amount,
                        "reason": rng.choice(["card declined", "insufficient funds"]),
                    },
                }
                return _frame(event_id, "payment.failed", body)
            body = {
                "specversion": "1.0",
                "id": f"pay-{event_id}",
                "source": "payments",
                "type": "payment.processed",
                "time": iso(now),
                "datacontenttype": "application/json",
                "data": {
                    "order_id": order.order_id,
                    "amount": order.amount,
                    "method": rng.choice(["card", "card", "wallet", "voucher"]),
                },
            }
            return _frame(event_id, step, body)
        if step == "inventory.updated":
            data: dict[str, Any] = {
                "order_id": order.order_id,
                "sku": order.sku,
                "remaining": rng.randint(0, 250),
            }
        elif step == "email.sent":
            data = {"order_id": order.order_id, "template": "order-confirmation"}
        else:
            self._orders.popleft()
            data = {
                "order_id": order.order_id,
                "carrier": rng.choice(CARRIERS),
                "eta_minutes": rng.randint(15, 60),
            }
        body = {"type": step, "time": iso(now), "source": step.split(".")[0], "data": data}
        return _frame(event_id, step, body)

    def _login(self, event_id: int, now: float) -> FeedEvent:
        rng = self.rng
        body = {
            "what": "user.logged_in",
            "when": iso(now),
            "who": f"user-{rng.randint(1, 500)}",
            "where": rng.choice(WHERE),
            "details": {"ip": f"192.0.2.{rng.randint(1, 254)}", "device": rng.choice(DEVICES)},
        }
        return _frame(event_id, "user.logged_in", body)

    def _junk(self, event_id: int) -> FeedEvent:
        # (text that is not UTF-8 is no junk: a client repairs it, as browsers do)
        kind = self.rng.choice(("broken-json", "too-deep", "oversized"))
        if kind == "broken-json":
            data = b'{"type": "order.placed", "data": {"order_id": "ord-'
        elif kind == "too-deep":  # past the decoder's 64 levels
            data = b'{"type": "user.logged_in", "data": ' + b"[" * 70 + b"]" * 70 + b"}"
        else:
            data = b'{"type": "blob", "data": "' + b"x" * (1 << 20) + b'"}'
        frame = b"id: %d\ndata: %s\n\n" % (event_id, data)
        return FeedEvent(event_id, "rejected", None, frame, junk=kind, line=data)


def _frame(event_id: int, etype: str, body: Any, sse_event: str | None = None) -> FeedEvent:
    head = b"id: %d\n" % event_id
    if sse_event:
        head += b"event: " + sse_event.encode() + b"\n"
    data = orjson.dumps(body)
    frame = head + b"data: " + data + b"\n\n"
    # WebSocket has no event name field: the type goes into the JSON, where the decoder
    # finds it (and leaves the same payload).
    line = data if not sse_event or "type" in body else orjson.dumps({"type": sse_event, **body})
    return FeedEvent(event_id, etype, body, frame, sse_event, line=line)


def _clamp(value: float, low: float, high: float) -> float:
    return min(high, max(low, value))
