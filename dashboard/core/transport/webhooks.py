"""Webhook requests as events: what a POST body means, and who may send one. Pure: no I/O.

Each event is made as a JSON envelope (``type``, ``time``, ``source``, ``severity``,
``data``) that the connection's decoder then reads like any frame, so that the store can
rebuild its payload from its raw bytes. The payload is the body's (an object keeps its
fields; anything else is under ``body``) plus ``webhook``: the request's path, the sender's
address and its headers, minus those that carry credentials.

Recognised bodies:

* Prometheus Alertmanager (an object with ``alerts`` and ``groupKey``): one event per
  alert, typed ``alert.<alertname>``, keyed (its source) by its other labels, so that the
  alert panel keeps one entry per alert: firing is its ``severity`` label, at least
  warning (the panel shows it firing); resolved is info (the panel shows it resolved).
  The id is the alert's fingerprint; the time its ``startsAt`` (firing) or ``endsAt``.
* GitHub (an ``X-GitHub-Event`` header): that is the type, ``X-GitHub-Delivery`` the id,
  the repository (else the organisation, else the sender) the source.
* Anything else: the decoder's reading of the body (its envelope keys, CloudEvents...),
  typed ``webhook`` when it names no type; a body that is not JSON is a text event.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from typing import Any

import orjson

from dashboard.core.events.decode import Decoder
from dashboard.core.events.event import Rejected, Severity
from dashboard.core.events.nesting import TOO_DEEP, too_deep

__all__ = [
    "DEFAULT_TYPE",
    "MAX_HEADERS",
    "kept_headers",
    "refusal",
    "webhook_frames",
]

DEFAULT_TYPE = "webhook"
MAX_HEADERS = 64  # headers kept on an event; each value cut at HEADER_VALUE_LIMIT characters
HEADER_VALUE_LIMIT = 1000
# Headers that carry credentials: never kept on an event.
_SECRET_HEADER = re.compile(
    r"(?i)(?:proxy-)?authorization|(?:set-)?cookie|.*(?:token|secret|signature|password"
    r"|api-?key|apikey).*"
)


def kept_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The request's headers as kept on its events: names in lower case, at most
    MAX_HEADERS of them, none that carries a credential."""
    kept: dict[str, str] = {}
    for name, value in headers:
        if len(kept) >= MAX_HEADERS:
            break
        if not _SECRET_HEADER.fullmatch(name):
            kept[name.lower()] = value[:HEADER_VALUE_LIMIT]
    return kept


def refusal(secret: str | None, headers: Mapping[str, str], body: bytes) -> str | None:
    """Why a request may not be taken, or None. With a *secret*, a request must carry it:
    ``Authorization: Bearer SECRET``, ``X-Gitlab-Token: SECRET``, or a GitHub-style
    ``X-Hub-Signature-256: sha256=HMAC`` of the body keyed by it. *headers*: lower-case
    names."""
    if not secret:
        return None
    signature = headers.get("x-hub-signature-256")
    if signature is not None:
        expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        ok = hmac.compare_digest(signature.strip().lower().encode(), expected.encode())
        return None if ok else "bad X-Hub-Signature-256 (HMAC of the body)"
    authorization = headers.get("authorization")
    if authorization is not None:
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(
            token.strip().encode(), secret.encode()
        ):
            return None
        return "bad Authorization token"
    token = headers.get("x-gitlab-token")
    if token is not None:
        ok = hmac.compare_digest(token.encode(), secret.encode())
        return None if ok else "bad X-Gitlab-Token"
    # (worded so that the log's masking of credentials finds none in it: no "bearer WORD")
    return (
        "no credentials: send the secret (Authorization Bearer, X-Gitlab-Token) or sign the "
        "body (X-Hub-Signature-256)"
    )


def webhook_frames(
    body: bytes,
    headers: Mapping[str, str],
    meta: dict[str, Any],
    decoder: Decoder,
    received: float,
) -> list[tuple[bytes, str | None]] | Rejected:
    """The events a request stands for, each as (frame, event id); a Rejected when the
    body is neither JSON nor text, or JSON nested deeper than MAX_DEPTH (checked before
    any of it is written again). *headers*: lower-case names; *meta* goes on every event
    as ``webhook``."""
    try:
        value = orjson.loads(body) if body.strip() else None
    except orjson.JSONDecodeError as invalid:
        if str(invalid).startswith("depth limit"):  # (deeper than orjson reads: 1,024)
            return Rejected(TOO_DEEP, body, received, decoder.connection, len(body))
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as error:
            reason = f"a webhook body neither JSON nor UTF-8 text (byte {error.start})"
            return Rejected(reason, body, received, decoder.connection, len(body))
        return [(_envelope(DEFAULT_TYPE, received, decoder.connection, Severity.INFO,
                           {"body": text, "webhook": meta}), None)]  # fmt: skip
    if too_deep(value, body):
        return Rejected(TOO_DEEP, body, received, decoder.connection, len(body))
    github = headers.get("x-github-event")
    if github:
        return [_github(github, headers.get("x-github-delivery"), value, meta, decoder, received)]
    if isinstance(value, dict) and isinstance(value.get("alerts"), list) and "groupKey" in value:
        return _alertmanager(value, meta, decoder.connection, received)
    row = decoder.decode_row(body, received, default_type=DEFAULT_TYPE)
    if isinstance(row, Rejected):  # (not expected: the body was JSON, and not too deep)
        return row
    etype, when, _, source, severity, payload = row[:6]
    return [(_envelope(etype, when, source, Severity(severity), _with(payload, meta)), row[7])]


def _with(payload: Any, meta: dict[str, Any]) -> dict[str, Any]:
    if isinstance(payload, dict) and "webhook" not in payload:
        return {**payload, "webhook": meta}
    return {"body": payload, "webhook": meta}


def _envelope(etype: str, when: Any, source: str, severity: Severity, data: Any) -> bytes:
    return orjson.dumps(
        {"type": etype, "time": when, "source": source, "severity": severity.label, "data": data}
    )


def _github(
    event: str,
    delivery: str | None,
    value: Any,
    meta: dict[str, Any],
    decoder: Decoder,
    received: float,
) -> tuple[bytes, str | None]:
    source = "github"
    if isinstance(value, dict):
        for path in (("repository", "full_name"), ("organization", "login"), ("sender", "login")):
            found = value.get(path[0])
            found = found.get(path[1]) if isinstance(found, dict) else None
            if isinstance(found, str) and found:
                source = found
                break
    return _envelope(event, received, source, Severity.INFO, _with(value, meta)), delivery


def _alertmanager(
    value: dict[str, Any], meta: dict[str, Any], connection: str, received: float
) -> list[tuple[bytes, str | None]]:
    group = {k: value[k] for k in ("receiver", "groupKey", "externalURL") if k in value}
    frames = []
    for alert in value["alerts"]:
        if not isinstance(alert, dict):
            continue
        labels = alert.get("labels") if isinstance(alert.get("labels"), dict) else {}
        annotations = alert.get("annotations")
        annotations = annotations if isinstance(annotations, dict) else {}
        name = str(labels.get("alertname") or "")
        firing = alert.get("status", value.get("status")) != "resolved"
        if firing:
            stated = Severity.named(str(labels.get("severity", ""))) or Severity.WARNING
            severity = max(stated, Severity.WARNING)
        else:
            severity = Severity.INFO
        key = ",".join(
            f"{k}={v}" for k, v in sorted(labels.items()) if k not in ("alertname", "severity")
        )
        message = next(
            (annotations[k] for k in ("summary", "description", "message") if annotations.get(k)),
            name or "alert",
        )
        data = {
            "message": message,
            **{k: v for k, v in alert.items() if k != "status"},
            "status": "firing" if firing else "resolved",
            **group,
            "webhook": meta,
        }
        when = alert.get("startsAt" if firing else "endsAt") or received
        fingerprint = alert.get("fingerprint")
        frames.append(
            (
                _envelope(
                    f"alert.{name}" if name else "alert",
                    when,
                    key or str(value.get("receiver") or connection),
                    severity,
                    data,
                ),
                str(fingerprint) if fingerprint else None,
            )
        )
    return frames
