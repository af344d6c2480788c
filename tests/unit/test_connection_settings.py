"""Connection settings: header parsing, ${ENV} references, credentials, safe display."""

from __future__ import annotations

import pytest

from dashboard.core.transport.connection import ConnectionSpec
from dashboard.sources.base import (
    basic_credentials,
    display_url,
    expand_env,
    parse_header,
    parse_header_lines,
    read_basic_credentials,
)
from dashboard.sources.registry import KINDS


def test_header_parsing_and_its_errors() -> None:
    assert parse_header("X-Team:  ops ") == ("X-Team", "ops")
    assert parse_header("Authorization: Bearer a:b") == ("Authorization", "Bearer a:b")
    for bad in ("NoColon", ": value", "Two Words: x"):
        with pytest.raises(ValueError, match="is not a header: expected 'Name: value'"):
            parse_header(bad)
    assert parse_header_lines("A: 1\n\n  \nB: 2") == {"A": "1", "B": "2"}
    with pytest.raises(ValueError, match=r"^line 2: 'oops' is not a header"):
        parse_header_lines("A: 1\noops")


def test_env_references_expand_and_a_missing_one_is_named() -> None:
    env = {"TOKEN": "s3cret", "TEAM": "ops"}
    assert expand_env("Bearer ${TOKEN} for ${TEAM}", env) == "Bearer s3cret for ops"
    assert expand_env("no $TOKEN braces", env) == "no $TOKEN braces"
    with pytest.raises(KeyError, match="MISSING"):
        expand_env("${MISSING}", env)


def test_basic_credentials_round_trip() -> None:
    value = basic_credentials("user", "pa:ss")
    assert value == "Basic dXNlcjpwYTpzcw=="
    assert read_basic_credentials(value) == ("user", "pa:ss")
    assert read_basic_credentials("Bearer abc") is None
    assert read_basic_credentials("Basic !!!") is None


def test_passwords_in_urls_are_masked_for_display() -> None:
    assert display_url("https://ops:hunter2@feeds.test/events") == (
        "https://ops:••••@feeds.test/events"
    )
    assert display_url("wss://feeds.test/ws?x=1") == "wss://feeds.test/ws?x=1"
    spec = ConnectionSpec("https://ops:hunter2@feeds.test:8443/events")
    assert spec.name == "feeds.test:8443"


def test_a_redis_connection_is_named_after_what_it_reads() -> None:
    spec = KINDS.spec("redis://:${PW}@cache:6379/0?stream=orders&stream=payments&backfill=5")
    assert spec.name == "cache:6379 orders,payments"
    assert KINDS.spec("rediss://cache/0?channel=alerts.*").name == "cache alerts.*"
    assert KINDS.spec("https://feed.example/events?stream=x").name == "feed.example"
    assert ConnectionSpec("redis://cache/0?stream=x").name == "cache"  # no kinds: its host
