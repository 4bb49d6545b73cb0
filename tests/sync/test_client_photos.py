"""Photo uploads: one PUT when small, resumable pieces when large, never a held byte sent twice."""
import hashlib
import os
import random
from urllib.parse import parse_qs, urlsplit

import pytest

from sync.client import ServerRefused, SyncClient
from tests.sync.fake_transport import BASE_URL, TOKEN, FakeLoujian, error_body, session_for

CHUNK = 1000
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 20


def sha(data):
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def server():
    return FakeLoujian()


@pytest.fixture
def connect(server):
    def make():
        session, transport = session_for(server)
        client = SyncClient(BASE_URL, TOKEN, session=session, sleep=lambda s: None,
                            rng=random.Random(1), chunk_size=CHUNK)
        return client, transport
    return make


def query_of(request):
    return {k: v[0] for k, v in parse_qs(urlsplit(request.url).query).items()}


def test_small_photo_goes_in_one_put_with_its_type_and_metadata(server, connect):
    client, transport = connect()
    data = JPEG[:800]
    client.upload_photo(data, sha(data), {"captured_at": "2024-07-01T09:30:00+08:00",
                                          "latitude": 35.14, "longitude": 111.22})
    [request] = transport.sent
    assert request.method == "PUT" and urlsplit(request.url).path == f"/api/photos/{sha(data)}"
    assert request.headers["Content-Type"] == "image/jpeg"
    assert query_of(request) == {"captured_at": "2024-07-01T09:30:00+08:00",
                                 "latitude": "35.14", "longitude": "111.22"}
    assert server.photos[sha(data)] == data


def test_large_photo_goes_in_pieces_no_larger_than_the_chunk_size(server, connect):
    client, transport = connect()
    client.upload_photo(JPEG, sha(JPEG))
    offsets = [int(query_of(r)["offset"]) for r in transport.sent]
    assert offsets == list(range(0, len(JPEG), CHUNK))
    assert all(len(r.body) <= CHUNK for r in transport.sent)
    assert all(query_of(r)["total"] == str(len(JPEG)) for r in transport.sent)
    assert server.photos[sha(JPEG)] == JPEG


def test_upload_resumes_from_the_offset_the_server_reports(server, connect):
    server.partial[sha(JPEG)] = bytearray(JPEG[:2500])
    client, transport = connect()
    client.upload_photo(JPEG, sha(JPEG), received=2500)
    assert int(query_of(transport.sent[0])["offset"]) == 2500
    assert client.stats.bytes_sent == len(JPEG) - 2500
    assert server.photos[sha(JPEG)] == JPEG


def test_offset_mismatch_resumes_from_what_the_server_received(server, connect):
    server.partial[sha(JPEG)] = bytearray(JPEG[:3000])
    client, transport = connect()
    client.upload_photo(JPEG, sha(JPEG), received=1000)  # a stale idea of the server's progress
    offsets = [int(query_of(r)["offset"]) for r in transport.sent]
    assert offsets[:2] == [1000, 3000]
    assert server.photos[sha(JPEG)] == JPEG


def test_piece_whose_answer_was_lost_is_not_sent_again(server, connect):
    server.lose_answer("PUT", r"/api/photos/[0-9a-f]+/chunks")
    client, transport = connect()
    client.upload_photo(JPEG, sha(JPEG))
    offsets = [int(query_of(r)["offset"]) for r in transport.sent]
    # the retry of piece 0 is told the server already has it, then carries on from 1000
    assert offsets[:3] == [0, 0, 1000]
    assert client.stats.bytes_sent == len(JPEG) + CHUNK  # only the lost piece went twice
    assert server.photos[sha(JPEG)] == JPEG


def test_lost_answer_to_the_last_piece_is_settled_by_asking_the_server(server, connect):
    server.lose_answer("PUT", r"/api/photos/[0-9a-f]+/chunks")
    data = JPEG[:CHUNK + 10]
    server.partial[sha(data)] = bytearray(data[:CHUNK])
    client, transport = connect()
    # the last piece completes the photo but its answer is lost; the retry is answered 200 (held)
    client.upload_photo(data, sha(data), received=CHUNK)
    assert server.photos[sha(data)] == data
    assert len(transport.sent) == 2


def test_photo_read_from_a_file_in_pieces(server, connect, tmp_path):
    path = tmp_path / "big.jpg"
    path.write_bytes(JPEG + os.urandom(3000))
    client, _ = connect()
    client.upload_photo(path, sha(path.read_bytes()))
    assert server.photos[sha(path.read_bytes())] == path.read_bytes()


def test_refused_photo_raises_with_the_servers_reason(server, connect):
    client, transport = connect()
    with pytest.raises(ServerRefused) as refused:
        client.upload_photo(JPEG[:500], "0" * 64)
    assert refused.value.code == "photo.hash_mismatch"
    assert len(transport.sent) == 1


@pytest.mark.parametrize("head, expected", [
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 8, "image/png"),
    (b"RIFF\0\0\0\0WEBPVP8 ", "image/webp"),
    (b"GIF89a" + b"\0" * 10, "application/octet-stream"),
])
def test_content_type_is_sniffed_from_the_bytes(server, connect, head, expected):
    client, transport = connect()
    with pytest.raises(ServerRefused):
        client.upload_photo(head, "1" * 64)
    assert transport.sent[0].headers["Content-Type"] == expected


def test_server_holding_every_byte_is_asked_whether_the_photo_is_complete(server, connect):
    data = JPEG[:CHUNK + 10]
    server.photos[sha(data)] = data  # the completing piece was processed; its answer was lost
    server.answer("PUT", r"/api/photos/[0-9a-f]+/chunks", 409, error_body(
        "photo.offset_mismatch", "分片位置不符", {"received": len(data)}))
    client, transport = connect()
    client.upload_photo(data, sha(data), received=CHUNK)
    assert [r.method for r in transport.sent] == ["PUT", "GET"]
    assert urlsplit(transport.sent[1].url).path == f"/api/photos/{sha(data)}/upload"
