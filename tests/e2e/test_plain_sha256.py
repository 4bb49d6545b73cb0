"""Photos are named by their SHA-256 also where crypto.subtle is missing (plain HTTP on a LAN):
the app's fallback must agree with Python's hashlib on every padding edge."""
import hashlib

import pytest

pytestmark = pytest.mark.slow
LENGTHS = [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000, 65_537]


def test_plain_sha256_matches_hashlib(live_server, phone):
    page = phone.new_page()
    page.goto(live_server + "/")
    digests = page.evaluate("""async (lengths) => {
        const { plainSha256 } = await import('/app/js/sha256.js');
        return lengths.map((n) => {
          const data = new Uint8Array(n).map((_, i) => (i * 31 + 7) & 255);
          return [...plainSha256(data)].map((b) => b.toString(16).padStart(2, '0')).join('');
        });
    }""", LENGTHS)
    for length, digest in zip(LENGTHS, digests, strict=True):
        data = bytes((i * 31 + 7) & 255 for i in range(length))
        assert digest == hashlib.sha256(data).hexdigest(), length
