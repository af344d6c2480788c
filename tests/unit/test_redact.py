"""Secrets never leave in a crash report or a log line."""

from __future__ import annotations

import pytest

from dashboard.core.text.redact import MASK, mark_secret, mark_url_secrets, redact


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
        # a library's dump of the headers it sends or receives: the whole value goes
        ("> Authorization: Bearer eyJhbGciOi.x-y_z", f"> Authorization: Bearer {MASK}"),
        ("> Authorization: Digest username=ops, response=9f3a", f"> Authorization: Digest {MASK}"),
        ("> Proxy-Authorization: Basic b3BzOmh1bnRlcjI=", f"> Proxy-Authorization: Basic {MASK}"),
        ("> Cookie: session=s3cr3t; theme=dark", f"> Cookie: {MASK}"),
        ("< Set-Cookie: sid=s3cr3t; Path=/; HttpOnly", f"< Set-Cookie: {MASK}"),
        ("> api-key: k_live_123", f"> api-key: {MASK}"),
        ("> X-Auth-Token: abc.def", f"> X-Auth-Token: {MASK}"),
        (
            "headers=[(b'Set-Cookie', b'sid=s3cr3t; Path=/'), (b'Server', b'aiohttp')]",
            f"headers=[(b'Set-Cookie', b'{MASK}'), (b'Server', b'aiohttp')]",
        ),
        (
            'HTTP Request: GET http://alice:pa55word@127.0.0.1:8080/events "HTTP/1.1 401"',
            f'HTTP Request: GET http://alice:{MASK}@127.0.0.1:8080/events "HTTP/1.1 401"',
        ),
        ("https://ghp_abc123@git.example/x.git", f"https://{MASK}@git.example/x.git"),
        ("> Accept: text/event-stream", "> Accept: text/event-stream"),
    ],
)
def test_credentials_are_masked_and_the_rest_kept(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_values_marked_secret_are_masked_wherever_they_appear() -> None:
    mark_secret("Bearer marked-t0ken-for-redact")
    mark_secret("env-value-for-redact-test")
    mark_secret("abc")  # too short to mask as a value: it would mask words
    text = (
        "> X-Custom: env-value-for-redact-test; sent marked-t0ken-for-redact as is; "
        "Bearer marked-t0ken-for-redact; abc"
    )
    assert redact(text) == f"> X-Custom: {MASK}; sent {MASK} as is; Bearer {MASK}; abc"
    # masked by value, then by shape: the header keeps its scheme and its spacing
    assert redact("> Authorization: Bearer marked-t0ken-for-redact") == (
        f"> Authorization: Bearer {MASK}"
    )
    assert redact("> X-API-Key: env-value-for-redact-test") == f"> X-API-Key: {MASK}"


def test_a_url_s_secrets_are_marked_as_written_decoded_and_as_basic_credentials() -> None:
    mark_url_secrets("ws://bob:p%40ss-for-redact@127.0.0.1:9/ws")
    mark_url_secrets("https://tok3n-only-for-redact@127.0.0.1:9/events")
    # websockets sends the userinfo as a Basic Authorization header: base64 of bob:p@ss...
    text = "Ym9iOnBAc3MtZm9yLXJlZGFjdA== p%40ss-for-redact p@ss-for-redact tok3n-only-for-redact"
    assert redact(text) == " ".join([MASK] * 4)


def test_a_marked_value_that_starts_another_token_leaves_none_of_it_in_sight() -> None:
    mark_secret("s3cr3t")
    assert redact("Authorization: Bearer s3cr3t-t0ken") == "Authorization: Bearer ••••"
