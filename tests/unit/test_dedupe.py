from dashboard.core.dedupe import RecentIds


def test_the_same_id_with_the_same_data_is_a_repeat() -> None:
    recent = RecentIds()
    assert recent.is_new("7", b'{"n": 7}')
    assert not recent.is_new("7", b'{"n": 7}')
    assert not recent.is_new("7", b'{"n": 7}')


def test_the_same_id_with_other_data_is_new_and_replaces_the_old() -> None:
    recent = RecentIds()
    assert recent.is_new("1", b"first run")
    assert recent.is_new("1", b"second run")
    assert not recent.is_new("1", b"second run")
    assert recent.is_new("1", b"first run")  # only the latest data under an id is held


def test_only_the_last_window_of_ids_is_remembered() -> None:
    recent = RecentIds(window=3)
    for i in range(5):
        assert recent.is_new(str(i), b"x")
    assert recent.is_new("0", b"x") and recent.is_new("1", b"x")  # forgotten: new again
    assert not recent.is_new("4", b"x")  # still held
    assert len(recent._data_hash) == 3
