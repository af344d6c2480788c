"""Files, standard input and webhook receivers as connection kinds: their URLs, names and
options through the registry and layout files."""

from __future__ import annotations

import re

import pytest

from dashboard.core.layouts import layoutfile as layouts
from dashboard.core.layouts.layoutfile import LayoutError, loads
from dashboard.sources.registry import KINDS


def test_file_stdin_and_listen_urls_name_no_host_or_a_port() -> None:
    assert KINDS.for_url("file:///var/log/app.log").name == "file"
    assert KINDS.for_url("file://localhost/var/log/app.log").name == "file"
    assert KINDS.for_url("stdin:").name == "stdin"
    assert KINDS.for_url("listen://127.0.0.1:9000/hook").name == "listen"
    assert KINDS.spec("file:///var/log/my%20app.log").name == "my app.log"
    assert KINDS.spec("stdin:").name == "stdin"
    assert KINDS.spec("listen://127.0.0.1:9000/").name == "listen :9000"
    for url, message in [
        ("file://server/share/app.log", "names a file on this machine"),
        ("file:///var/log/", "expected the path of a file"),
        ("stdin:foo", "standard input is 'stdin:'"),
        ("listen://127.0.0.1/hook", "expected a port from 1 to 65535 to listen on"),
        ("listen://u:p@127.0.0.1:9000/", "takes no user or password"),
        ("http:///no-host", "expected http(s)://host/path"),  # the others still need a host
    ]:
        with pytest.raises(ValueError, match=re.escape(message)):
            KINDS.for_url(url)


def test_their_options_load_and_save_through_a_layout_the_secret_never_written() -> None:
    text = (
        "[[connections]]\nurl = 'file:///var/log/app.log'\nfrom_start = true\n\n"
        "[[connections]]\nurl = 'listen://0.0.0.0:9000/alerts'\nsecret = 'tok3n'\n"
    )
    file, listen = loads(text, "ops.toml", KINDS).connections
    assert (file.name, file.options) == ("app.log", {"from_start": True})
    assert (listen.name, listen.options) == ("listen 0.0.0.0:9000/alerts", {"secret": "tok3n"})
    saved = layouts.dumps(layouts.Layout(connections=[file, listen]), KINDS)
    assert "from_start = true" in saved and "tok3n" not in saved
    with pytest.raises(LayoutError, match="from_start: an option of File connections, not"):
        loads("[[connections]]\nurl = 'stdin:'\nfrom_start = true\n", "t.toml", KINDS)
