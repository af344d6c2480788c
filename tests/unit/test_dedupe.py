from dashboard.core.dedupe import RecentIds


def is_new(recent: RecentIds, event_id: str, data: bytes) -> bool:
    return not recent.repeats([event_id], [data])


def test_the_same_id_with_the_same_data_is_a_repeat() -> None:
    recent = RecentIds()
    assert is_new(recent, "7", b'{"n": 7}')
    assert not is_new(recent, "7", b'{"n": 7}')
    assert not is_new(recent, "7", b'{"n": 7}')


def test_the_same_id_with_other_data_is_new_and_replaces_the_old() -> None:
    recent = RecentIds()
    assert is_new(recent, "1", b"first run")
    assert is_new(recent, "1", b"second run")
    assert not is_new(recent, "1", b"second run")
    assert is_new(recent, "1", b"first run")  # only the latest data under an id is held


def test_only_the_last_window_of_ids_is_remembered() -> None:
    recent = RecentIds(window=3)
    for i in range(5):
        assert is_new(recent, str(i), b"x")
    assert is_new(recent, "0", b"x") and is_new(recent, "1", b"x")  # forgotten: new again
    assert not is_new(recent, "4", b"x")  # still held
    assert len(recent._data_hash) == 3


def test_a_batch_answers_the_positions_of_its_repeats() -> None:
    recent = RecentIds()
    assert recent.repeats(["1", "2", "3"], [b"a", b"b", b"c"]) == set()
    # 2 and 3 again (a resume from too far back), 4 new, 1 reused with other data, 4 twice
    got = recent.repeats(["2", "3", "4", "1", "4"], [b"b", b"c", b"d", b"other", b"d"])
    assert got == {0, 1, 4}
    assert recent.repeats(["1"], [b"other"]) == {0} and recent.repeats(["1"], [b"a"]) == set()


def test_at_least_the_window_is_remembered_when_batches_come() -> None:
    recent = RecentIds(window=10)
    for start in range(0, 40, 4):
        batch = [str(i) for i in range(start, start + 4)]
        assert recent.repeats(batch, [b"x"] * 4) == set()
    assert recent.repeats([str(i) for i in range(30, 40)], [b"x"] * 10) == set(range(10))
    assert recent.repeats(["0"], [b"x"]) == set()  # long forgotten
