"""The folder-on-disk photo store: whole files only, sharded by hash, safe partial uploads."""
import threading

import pytest

from server.photos.store import DiskPhotoStore, OffsetMismatch

SHA = "ab" + "cd" + "e" * 60


@pytest.fixture
def store(tmp_path):
    return DiskPhotoStore(tmp_path)


def test_put_then_open_returns_the_same_bytes(store):
    store.put(SHA, "original", b"\xff\xd8\xff photo bytes")
    with store.open(SHA, "original") as file:
        assert file.read() == b"\xff\xd8\xff photo bytes"
    assert store.size(SHA, "original") == 15


def test_files_are_sharded_by_hash(store, tmp_path):
    store.put(SHA, "original", b"x")
    store.put(SHA, "thumb", b"y")
    assert (tmp_path / "original" / "ab" / "cd" / SHA).read_bytes() == b"x"
    assert (tmp_path / "thumb" / "ab" / "cd" / f"{SHA}.jpg").read_bytes() == b"y"


def test_put_leaves_no_temporary_file(store, tmp_path):
    store.put(SHA, "display", b"z" * 1000)
    assert [p.name for p in (tmp_path / "display" / "ab" / "cd").iterdir()] == [f"{SHA}.jpg"]


def test_a_failed_put_leaves_nothing_under_the_final_name(store, tmp_path, monkeypatch):
    def crash(*args):
        raise OSError("disk full")

    monkeypatch.setattr("os.replace", crash)
    with pytest.raises(OSError):
        store.put(SHA, "original", b"half")
    assert not store.exists(SHA, "original")
    assert list((tmp_path / "original" / "ab" / "cd").iterdir()) == []


def test_exists_tells_which_variants_are_held(store):
    store.put(SHA, "original", b"x")
    assert store.exists(SHA, "original") and not store.exists(SHA, "display")


@pytest.mark.parametrize("key", ["../../etc/passwd", "AB" * 32, "a" * 63, "a" * 64 + "/..", ""])
def test_keys_that_are_not_a_lowercase_sha256_never_reach_the_disk(store, key):
    with pytest.raises(ValueError):
        store.put(key, "original", b"x")
    with pytest.raises(ValueError):
        store.partial_size(key)


def test_unknown_variant_is_refused(store):
    with pytest.raises(ValueError):
        store.put(SHA, "../original", b"x")


def test_pieces_append_at_the_received_offset(store):
    assert store.partial_size(SHA) == 0
    assert store.append_partial(SHA, 0, b"abc") == 3
    assert store.append_partial(SHA, 3, b"defg") == 7
    assert store.read_partial(SHA) == b"abcdefg"


def test_a_piece_at_the_wrong_offset_is_refused_with_what_is_held(store):
    store.append_partial(SHA, 0, b"abc")
    with pytest.raises(OffsetMismatch) as caught:
        store.append_partial(SHA, 0, b"abc")
    assert caught.value.received == 3
    assert store.read_partial(SHA) == b"abc"


def test_the_same_piece_sent_by_many_workers_at_once_is_written_once(store):
    store.append_partial(SHA, 0, b"head")
    outcomes = []

    def send():
        try:
            outcomes.append(store.append_partial(SHA, 4, b"-tail" * 1000))
        except OffsetMismatch as mismatch:
            outcomes.append(("mismatch", mismatch.received))

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count(5004) == 1
    assert store.read_partial(SHA) == b"head" + b"-tail" * 1000


def test_deleting_a_partial_upload_starts_it_afresh(store):
    store.append_partial(SHA, 0, b"abc")
    store.delete_partial(SHA)
    store.delete_partial(SHA)  # twice is fine
    assert store.partial_size(SHA) == 0
