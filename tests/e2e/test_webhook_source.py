"""Inbound webhooks: POSTs from a real HTTP client (httpx) to the receiver on loopback,
with Alertmanager's and GitHub's payload shapes, secrets and signatures, and bad input."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from dashboard.core.events.event import Event, Rejected, Severity
from dashboard.core.monitor.alertbook import AlertBook, AlertEntry, Origin
from dashboard.core.monitor.rules import AlertState
from dashboard.core.storage.recordformat import open_events_file, read_events
from dashboard.core.text.redact import redact
from dashboard.sources.base import ConnectionState
from dashboard.sources.registry import KINDS
from dashboard.sources.webhook import WebhookSource
from tests.e2e.test_file_source import Collected
from tests.helpers import run, wait_for
from tests.unit.factories import nested_text

ALERTMANAGER = {
    "version": "4",
    "groupKey": '{}:{alertname="DiskFull"}',
    "status": "firing",
    "receiver": "dashboard",
    "groupLabels": {"alertname": "DiskFull"},
    "commonLabels": {"alertname": "DiskFull"},
    "externalURL": "http://alertmanager:9093",
    "alerts": [
        {
            "status": "firing",
            "labels": {"alertname": "DiskFull", "instance": "db-1", "severity": "critical"},
            "annotations": {"summary": "disk 97% full on db-1"},
            "startsAt": "2026-12-06T07:40:00Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://prometheus/graph",
            "fingerprint": "a1b2c3",
        },
        {
            "status": "resolved",
            "labels": {"alertname": "DiskFull", "instance": "db-2", "severity": "warning"},
            "annotations": {"summary": "disk 91% full on db-2"},
            "startsAt": "2026-12-06T07:00:00Z",
            "endsAt": "2026-12-06T07:42:00Z",
            "fingerprint": "d4e5f6",
        },
    ],
}
GITHUB_PUSH = {
    "ref": "refs/heads/main",
    "repository": {"full_name": "acme/shop"},
    "sender": {"login": "octocat"},
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def receiver(url: str, **options: Any) -> tuple[WebhookSource, Collected]:
    sink = Collected()
    return WebhookSource(KINDS.spec(url, options=options), sink), sink


async def running(source: WebhookSource, body: Callable[[], Awaitable[None]]) -> None:
    task = asyncio.ensure_future(source.run())
    try:
        await wait_for(lambda: source.status.state is not ConnectionState.CONNECTING)
        await body()
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def test_posts_become_events_alertmanager_and_github_recognised() -> None:
    port = free_port()
    source, sink = receiver(f"listen://127.0.0.1:{port}/hook")
    answers: list[httpx.Response] = []

    async def body() -> None:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            answers.append(await client.post("/hook", json=ALERTMANAGER))
            answers.append(
                await client.post(
                    "/hook",
                    json=GITHUB_PUSH,
                    headers={
                        "X-GitHub-Event": "push",
                        "X-GitHub-Delivery": "72d3162e-cc78",
                        "X-Hub-Signature-256": "sha256=ignored-without-a-secret",
                        "Authorization": "Bearer not-kept",
                    },
                )
            )
            answers.append(
                await client.post("/hook", json={"type": "deploy.done", "level": "warn", "v": 3})
            )
            answers.append(await client.post("/hook", content=b"{not json at all"))
            answers.append(await client.post("/hook", content=b"\xff\xfe"))
            answers.append(await client.post("/elsewhere", json={}))
            answers.append(await client.get("/hook"))

    run(running(source, body))
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 422, 404, 405]
    assert [a.json() for a in answers[:4]] == [{"events": n} for n in (2, 1, 1, 1)]
    assert answers[4].text == "a webhook body neither JSON nor UTF-8 text (byte 0)\n"
    firing, resolved, push, deploy, text = sink.events
    assert (firing.type, firing.source, firing.severity, firing.id) == (
        "alert.DiskFull", "instance=db-1", Severity.CRITICAL, "a1b2c3"
    )  # fmt: skip
    assert firing.data["message"] == "disk 97% full on db-1" and firing.data["status"] == "firing"
    assert firing.time == 1796542800.0  # startsAt
    assert (resolved.source, resolved.severity, resolved.time) == (
        "instance=db-2", Severity.INFO, 1796542920.0  # endsAt
    )  # fmt: skip
    assert (push.type, push.id, push.source) == ("push", "72d3162e-cc78", "acme/shop")
    assert push.data["ref"] == "refs/heads/main"
    headers = push.data["webhook"]["headers"]
    assert headers["x-github-event"] == "push" and "user-agent" in headers
    assert "authorization" not in headers and "x-hub-signature-256" not in headers
    assert push.data["webhook"]["path"] == "/hook"
    assert push.data["webhook"]["remote"] == "127.0.0.1"
    assert (deploy.type, deploy.severity, deploy.data["v"]) == (
        "deploy.done", Severity.WARNING, 3
    )  # fmt: skip
    assert (text.type, text.data["body"]) == ("webhook", "{not json at all")
    [binary] = sink.rejected
    assert binary.reason == "a webhook body neither JSON nor UTF-8 text (byte 0)"
    # The alert panel's book shows them as the alerts they are, each keyed by its labels.
    book = AlertBook()
    book.add_feed_events(sink.events)
    entries = {entry.key: entry for entry in book.shown()}
    assert entries["instance=db-1"].state is AlertState.FIRING
    assert entries["instance=db-1"].message.startswith("disk 97% full on db-1 labels=")
    assert entries["instance=db-2"].state is AlertState.RESOLVED
    assert {e.origin for e in entries.values()} == {Origin.FEED}
    # (and the deploy event, a warning: an alert by the feed's conventions)
    assert set(entries) == {"instance=db-1", "instance=db-2", f"listen :{port}/hook"}


DISK_FULL = (Origin.FEED, "alert.DiskFull", "DiskFull", "instance=db-1")


def test_a_body_nested_too_deep_is_answered_422_and_the_next_one_is_taken() -> None:
    """orjson reads 1,024 levels and writes 254: GitHub's and Alertmanager's payloads, which
    the receiver writes again as envelopes, crashed it (a 500 and a traceback, counted
    nowhere). Now each is one rejected frame, the sender is told why, and the next request
    is an event as usual."""
    port = free_port()
    source, sink = receiver(f"listen://127.0.0.1:{port}/")
    github = {"X-GitHub-Event": "push", "X-GitHub-Delivery": "d-1"}
    deep_push = b'{"repository": {"full_name": "acme/shop"}, "ref": ' + nested_text(300) + b"}"
    alerts = json.dumps(ALERTMANAGER).encode()
    deep_alerts = alerts.replace(b'"generatorURL"', b'"deep": ' + nested_text(1000) + b', "g"')
    plain = b'{"type": "deploy", "data": ' + nested_text(100) + b"}"
    deeper = nested_text(1100)  # (past what orjson reads: not taken as a text body either)
    answers: list[httpx.Response] = []

    async def body() -> None:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            answers.append(await client.post("/", content=deep_push, headers=github))
            answers.append(await client.post("/", content=deep_alerts))
            answers.append(await client.post("/", content=plain))
            answers.append(await client.post("/", content=deeper))
            answers.append(await client.post("/", json=GITHUB_PUSH, headers=github))
        assert source.status.state is ConnectionState.LIVE

    run(running(source, body))
    assert [a.status_code for a in answers] == [422, 422, 422, 422, 200]
    assert {a.text for a in answers[:4]} == {"JSON nested deeper than 64 levels\n"}
    assert answers[4].json() == {"events": 1}
    assert [r.reason for r in sink.rejected] == ["JSON nested deeper than 64 levels"] * 4
    assert [r.raw for r in sink.rejected] == [deep_push, deep_alerts, plain, deeper]
    [push] = sink.events
    assert (push.type, push.id, push.source) == ("push", "d-1", "acme/shop")


def test_a_resolved_notification_resolves_the_firing_alert() -> None:
    port = free_port()
    source, sink = receiver(f"listen://127.0.0.1:{port}/")
    resolved = json.loads(json.dumps(ALERTMANAGER))
    resolved["alerts"] = [dict(ALERTMANAGER["alerts"][0], status="resolved",  # type: ignore[index]
                               endsAt="2026-12-06T07:50:00Z")]  # fmt: skip

    async def body() -> None:
        async with httpx.AsyncClient() as client:
            await client.post(f"http://127.0.0.1:{port}/any/path", json=ALERTMANAGER)
            await client.post(f"http://127.0.0.1:{port}/any/path", json=resolved)

    run(running(source, body))
    book = AlertBook()
    book.add_feed_events(sink.events[:2])

    def disk_full() -> AlertEntry:  # one entry: its identity holds the alert's labels
        (entry,) = [e for e in book.entries.values() if e.identity[:4] == DISK_FULL]
        return entry

    assert disk_full().state is AlertState.FIRING
    book.add_feed_events(sink.events[2:])
    assert disk_full().state is AlertState.RESOLVED and disk_full().count == 2


def _signed(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_with_a_secret_only_requests_that_carry_it_are_taken() -> None:
    port = free_port()
    source, sink = receiver(f"listen://127.0.0.1:{port}/", secret="s3cret-token")
    body_bytes = json.dumps(GITHUB_PUSH).encode()
    codes: list[int] = []

    async def body() -> None:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            github = {"X-GitHub-Event": "push", "Content-Type": "application/json"}
            for headers in (
                {**github, "X-Hub-Signature-256": _signed("wrong", body_bytes)},  # bad HMAC
                github,  # nothing
                {"Authorization": "Bearer nope"},  # bad token
                {**github, "X-Hub-Signature-256": _signed("s3cret-token", body_bytes)},
                {"Authorization": "Bearer s3cret-token"},
            ):
                answer = await client.post("/", content=body_bytes, headers=headers)
                codes.append(answer.status_code)

    run(running(source, body))
    assert codes == [401, 401, 401, 200, 200]
    assert source.refused == 3
    assert [r.reason for r in sink.rejected] == [
        "request refused (401) from 127.0.0.1: bad X-Hub-Signature-256 (HMAC of the body)",
        "request refused (401) from 127.0.0.1: no credentials: send the secret (Authorization "
        "Bearer, X-Gitlab-Token) or sign the body (X-Hub-Signature-256)",
        "request refused (401) from 127.0.0.1: bad Authorization token",
    ]
    assert all(r.raw == b"" for r in sink.rejected)  # nothing of a refused body is kept
    assert all(redact(r.reason) == r.reason for r in sink.rejected)  # the log shows them whole
    assert source.status.last_error.startswith("3 requests refused; the last: ")
    assert [e.type for e in sink.events] == ["push", "webhook"]


def test_a_secret_from_the_environment_and_a_body_over_the_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HOOK_SECRET", "from-the-env")
    port = free_port()
    source, sink = receiver(f"listen://127.0.0.1:{port}/", secret="${HOOK_SECRET}")
    codes: list[int] = []

    async def body() -> None:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            bearer = {"Authorization": "Bearer from-the-env"}
            codes.append((await client.post("/", json={"n": 1}, headers=bearer)).status_code)
            big = b'{"pad": "' + b"x" * (2 << 20) + b'"}'
            codes.append((await client.post("/", content=big, headers=bearer)).status_code)

    run(running(source, body))
    assert codes == [200, 413]
    assert [e.data["n"] for e in sink.events] == [1]
    [oversized] = sink.rejected
    assert oversized.reason == (
        f"frame of {(2 << 20) + 11:,} bytes is over the 1,048,576-byte limit"
    )


def test_another_address_without_a_secret_is_refused() -> None:
    port = free_port()
    source, _ = receiver(f"listen://0.0.0.0:{port}/")
    run(source.run())
    assert source.status.state is ConnectionState.STOPPED
    assert source.status.detail == (  # the dialog's and the command line's rule
        f"listening on 0.0.0.0 opens port {port} to other machines: give a secret that each "
        "request must carry"
    )


def test_a_port_in_use_is_said_in_the_status_and_on_the_command_line(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from dashboard.cli import main

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        source, _ = receiver(f"listen://127.0.0.1:{port}/")

        async def body() -> None:
            await wait_for(lambda: source.status.last_error != "")

        run(running(source, body))
        assert source.status.state is ConnectionState.RECONNECTING
        assert source.status.last_error == f"port {port} on 127.0.0.1 is in use by another program"
        with pytest.raises(SystemExit) as exited:
            main(["listen", f":{port}"])
        assert exited.value.code == 2
        assert f"port {port} on 127.0.0.1 is in use" in capsys.readouterr().err
        code = main(["record", f"listen://127.0.0.1:{port}/", "-o", str(tmp_path / "o.jsonl")])
        assert code == 2
        assert f"dashboard record: port {port} on 127.0.0.1 is in use" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["listen", ":abc"], "':abc' is not a port"),
        (
            ["listen", ":9000", "--bind", "0.0.0.0"],
            "argument --secret: listening on 0.0.0.0 opens port 9000 to other machines",
        ),
        (["listen://127.0.0.1/hook"], "expected a port from 1 to 65535 to listen on"),
        (["listen", ":0"], "':0': port 0 would be any free port, which no sender could be told"),
        (["listen", ":70000"], "port 70000 would be over 65535, the highest port"),
        (["listen://127.0.0.1:0/"], "port 0 would be any free port"),
        (["listen://127.0.0.1:9/a", "listen://127.0.0.1:9/b"], "two receivers on port 9"),
        (["-", "-"], "standard input (-) can be read by one connection only"),
    ],
)
def test_listen_and_stdin_mistakes_on_the_command_line(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from dashboard.cli import main

    with pytest.raises(SystemExit) as exited:
        main(args)
    assert exited.value.code == 2
    assert message in capsys.readouterr().err


def test_listen_builds_the_url_and_keeps_the_window_s_options() -> None:
    from dashboard.cli import connection_specs, gui_parser, listen_args

    args = listen_args([":9000/alerts", "--bind", "0.0.0.0", "--secret", "tok", "--demo"])
    assert args == ["listen://0.0.0.0:9000/alerts", "--secret", "tok", "--demo"]
    [spec] = connection_specs(gui_parser().parse_args(args))
    assert (spec.name, spec.options) == ("listen 0.0.0.0:9000/alerts", {"secret": "tok"})
    assert listen_args(["9001"]) == ["listen://127.0.0.1:9001/"]


def test_dashboard_record_records_what_a_receiver_is_sent(tmp_path: Any) -> None:
    port = free_port()
    out = tmp_path / "hooks.jsonl"
    process = subprocess.Popen(
        [sys.executable, "-m", "dashboard", "record", f"listen://127.0.0.1:{port}/",
         "-o", str(out), "--count", "2"],
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        sent = 0
        with httpx.Client() as client:
            while sent < 2 and time.monotonic() < deadline and process.poll() is None:
                try:
                    client.post(f"http://127.0.0.1:{port}/x", json={"type": "ci.build", "n": sent})
                    sent += 1
                except httpx.TransportError:  # not listening yet
                    time.sleep(0.05)
        _, errors = process.communicate(timeout=30)
        assert process.returncode == 0, errors
    finally:
        process.kill()
        process.communicate()
    with open_events_file(str(out)) as stream:
        events = [e for e in read_events(stream, "x") if isinstance(e, Event)]
    assert [(e.type, e.data["n"]) for e in events] == [("ci.build", 0), ("ci.build", 1)]


def test_dashboard_record_keeps_a_body_nested_too_deep_as_a_rejected_frame(
    tmp_path: Any,
) -> None:
    """The command line as the review ran it: a 300-deep GitHub payload printed a traceback
    and was answered 500; now 422, recorded as a rejected frame, and the next is an event."""
    port = free_port()
    out = tmp_path / "hooks.jsonl"
    process = subprocess.Popen(
        [sys.executable, "-m", "dashboard", "record", f"listen://127.0.0.1:{port}/",
         "-o", str(out), "--count", "1"],
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    github = {"X-GitHub-Event": "push", "X-GitHub-Delivery": "d-1"}
    deep = b'{"repository": {"full_name": "acme/shop"}, "ref": ' + nested_text(300) + b"}"
    codes = []
    try:
        deadline = time.monotonic() + 30
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            while not codes and time.monotonic() < deadline and process.poll() is None:
                try:
                    codes.append(client.post("/", content=deep, headers=github).status_code)
                except httpx.TransportError:  # not listening yet
                    time.sleep(0.05)
            codes.append(client.post("/", json=GITHUB_PUSH, headers=github).status_code)
        _, errors = process.communicate(timeout=30)
    finally:
        process.kill()
        process.communicate()
    assert codes == [422, 200]
    assert process.returncode == 0, errors
    assert "Traceback" not in errors and "Recorded 1 events and 1 rejected frames" in errors
    with open_events_file(str(out)) as stream:
        rejected, push = read_events(stream, "x", rejected=True)
    assert isinstance(rejected, Rejected) and isinstance(push, Event)
    assert (rejected.reason, rejected.raw) == ("JSON nested deeper than 64 levels", deep)
    assert (push.type, push.source) == ("push", "acme/shop")


def test_dashboard_listen_opens_the_window_with_a_receiver() -> None:
    """``dashboard listen :PORT``: the receiver runs in the window's reader process."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "dashboard", "listen", f":{port}/alerts", "--exit-after", "15"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    try:
        answers = []
        deadline = time.monotonic() + 15
        with httpx.Client() as client:
            while len(answers) < 1 and time.monotonic() < deadline:
                try:
                    answers.append(
                        client.post(f"http://127.0.0.1:{port}/alerts", json=ALERTMANAGER)
                    )
                except httpx.TransportError:  # not listening yet
                    time.sleep(0.05)
        out, errors = process.communicate(timeout=60)
    finally:
        process.kill()
        process.communicate()
    assert [a.status_code for a in answers] == [200], errors
    # The two alerts, and the two events the window writes as its alert panel takes them
    # (dashboard.alert.firing for db-1, dashboard.alert.resolved for db-2).
    assert "events=4 rejected=0 connections=1" in out
