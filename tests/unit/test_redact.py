"""Secrets never leave in a crash report or a log line."""

from __future__ import annotations

import pytest

from dashboard.core.redact import MASK, redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Authorization: Bearer eyJhbGciOi.x-y_z", f"Authorization: Bearer {MASK}"),
        ("{'Authorization': 'Basic dXNlcjpwdw=='}", f"{{'Authorization': 'Basic {MASK}'}}"),
        (
            "rediss://ops:hunter2@redis.internal:6380/0",
            f"rediss://ops:{MASK}@redis.internal:6380/0",
        ),
        ("https://:tok3n@feed.example/events", f"https://:{MASK}@feed.example/events"),
        ("password=hunter2 user=ops", f"password={MASK} user=ops"),
        ('{"api_key": "k-123", "cpu": 93}', f'{{"api_key": "{MASK}", "cpu": 93}}'),
        ("X-Api-Key: k-123", f"X-Api-Key: {MASK}"),
        ("cpu on web-1 at 93%, token bucket full", "cpu on web-1 at 93%, token bucket full"),
        ("https://feed.example/events", "https://feed.example/events"),
    ],
)
def test_credentials_are_masked_and_the_rest_kept(text: str, expected: str) -> None:
    assert redact(text) == expected
