"""The tasks that run sources: an unexpected error stops the source and says so."""

from __future__ import annotations

import asyncio

from dashboard.sources.base import ConnectionState, ConnectionStatus
from dashboard.ui.tasks import SourceTasks


class Source:
    def __init__(self, name: str, fail: bool) -> None:
        self.name = name
        self.status = ConnectionStatus(name, "test://")
        self.fail = fail

    async def run(self) -> None:
        if self.fail:
            raise RuntimeError("boom")
        await asyncio.Event().wait()


def test_a_crash_stops_the_source_and_a_cancel_does_not() -> None:
    ended: list[str] = []

    async def scenario() -> None:
        tasks = SourceTasks(ended=lambda: ended.append("ended"))
        broken, steady, stopped = Source("a", True), Source("b", False), Source("c", False)
        for source in (broken, steady, stopped):
            tasks.start(source)
        while not ended:  # until the crash has been dealt with
            await asyncio.sleep(0)
        assert not tasks.is_running(broken) and tasks.is_running(steady)
        assert broken.status.state is ConnectionState.STOPPED
        assert broken.status.detail == "internal error: RuntimeError('boom')"
        tasks.stop(stopped)
        assert not tasks.is_running(stopped)
        await asyncio.sleep(0)  # the cancelled task ends: no "ended", no error
        assert stopped.status.state is ConnectionState.CONNECTING  # stopping is no failure
        await tasks.aclose()
        assert not tasks.is_running(steady)

    asyncio.run(scenario())
    assert ended == ["ended"]  # only the crash ended by itself
