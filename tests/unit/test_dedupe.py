from dashboard.core.events.dedupe import DEFAULT_WINDOW_BYTES, RecentIds


def is_new(recent: RecentIds, event_id: str, data: bytes) -> bool:
    return not recent.repeats([event_id], [data])


def test_the_same_id_with_the_same_data_after_a_reconnect_is_a_repeat() -> None:
    recent = RecentIds()
    assert is_new(recent, "7", b'{"n": 7}')
    recent.new_stream()
    assert not is_new(recent, "7", b'{"n": 7}')
    assert not is_new(recent, "7", b'{"n": 7}')


def test_the_same_id_with_other_data_is_new_and_replaces_the_old() -> None:
    recent = RecentIds()
    assert is_new(recent, "1", b"first run")
    recent.new_stream()
    assert is_new(recent, "1", b"second run")
    assert not is_new(recent, "1", b"second run")
    assert is_new(recent, "1", b"first run")  # only the latest data under an id is held
    recent.new_stream()
    assert not is_new(recent, "1", b"first run") and is_new(recent, "1", b"second run")


def test_only_the_last_window_of_ids_is_remembered() -> None:
    recent = RecentIds(window=3)
    for i in range(5):
        assert is_new(recent, str(i), b"x")
    recent.new_stream()
    assert is_new(recent, "0", b"x") and is_new(recent, "1", b"x")  # forgotten: new again
    assert not is_new(recent, "4", b"x")  # still held


def test_a_batch_answers_the_positions_of_its_repeats() -> None:
    recent = RecentIds()
    assert recent.repeats(["1", "2", "3"], [b"a", b"b", b"c"]) == set()
    recent.new_stream()
    # 2 and 3 again (a resume from too far back), 4 new, 1 reused with other data, 4 twice
    got = recent.repeats(["2", "3", "4", "1", "4"], [b"b", b"c", b"d", b"other", b"d"])
    assert got == {0, 1, 4}
    assert recent.repeats(["1"], [b"other"]) == {0} and recent.repeats(["1"], [b"a"]) == set()


def test_at_least_the_window_is_remembered_when_batches_come() -> None:
    recent = RecentIds(window=10)
    for start in range(0, 40, 4):
        batch = [str(i) for i in range(start, start + 4)]
        assert recent.repeats(batch, [b"x"] * 4) == set()
    recent.new_stream()
    assert recent.repeats([str(i) for i in range(30, 40)], [b"x"] * 10) == set(range(10))
    assert recent.repeats(["0"], [b"x"]) == set()  # long forgotten


def test_a_stream_is_checked_for_its_first_window_of_new_events_only() -> None:
    recent = RecentIds(window=4)
    recent.repeats(["1", "2", "3", "4"], [b"x"] * 4)
    recent.new_stream()
    assert recent.repeats(["3", "4", "5", "6"], [b"x"] * 4) == {0, 1}  # 2 repeats, 2 new
    assert recent.repeats(["7", "1", "8"], [b"x"] * 3) == {1}  # 4 new ones: checked so far
    assert recent.repeats(["5"], [b"x"]) == set()  # mid-stream: not looked for
    recent.new_stream()  # the window before this reconnect: 5 to 8 (and 5 again)
    assert recent.repeats(["7", "6", "4"], [b"x"] * 3) == {0, 1}


def test_wide_events_are_remembered_within_a_byte_budget() -> None:
    """Past *window_bytes* of data the oldest batches are let go, however few the events
    (10,000 events of 700 KB were 7 GB in the feed's process); the newest batch stays."""
    recent = RecentIds(window=10_000, window_bytes=1_000)
    for n in range(10):
        assert recent.repeats([str(n)], [b"%03d" % n * 100]) == set()  # 300 bytes each
    assert recent.held == (3, 900)
    recent.repeats(["a", "b"], [b"x" * 2_000, b"y"])  # one batch over the budget alone
    assert recent.held == (2, 2_001)
    recent.new_stream()
    assert recent.repeats(["9", "a"], [b"009" * 100, b"x" * 2_000]) == {1}  # 9: forgotten
    assert DEFAULT_WINDOW_BYTES == 16 << 20 and RecentIds().window_bytes == DEFAULT_WINDOW_BYTES
