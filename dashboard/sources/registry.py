"""The transports this app reads: one line per source module.

Adding a transport is a module that declares its ``KIND`` (a
:class:`~dashboard.core.transport.sourcekind.SourceKind`: schemes, options, reader class)
and one line here. The dialog, layout files, the command line, ``--help``, the About box and
the README's table (see ``tests/unit/test_source_kinds.py``) all follow from it. A plugin or a
test that brings its own kind makes its own registry, ``KINDS.adding(kind)``, and hands it to
whatever it runs (``dashboard.cli.main(argv, kinds=...)``...): no global state to patch.
"""

from __future__ import annotations

from dashboard.core.transport.sourcekind import SourceKinds
from dashboard.sources import files, redis_streams, sse, stdin, webhook, websocket

KINDS = SourceKinds(
    [
        sse.KIND,
        websocket.KIND,
        redis_streams.KIND,
        files.KIND,
        stdin.KIND,
        webhook.KIND,
    ]
)

__all__ = ["KINDS"]
