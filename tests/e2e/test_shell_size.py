"""The app shell (HTML, JS, CSS, manifest and service worker, as served: compressed) stays under
150 KB, so a first visit on a weak 3G signal stays short."""
import gzip

from server.app_shell.shell import DEFAULT_PWA_DIR, shell_files

LIMIT = 150 * 1024
TEXT_SUFFIXES = (".html", ".js", ".css", ".webmanifest")


def test_shell_is_under_150_kb_compressed(client):
    urls = ["/sw.js"] + [f.url for f in shell_files(DEFAULT_PWA_DIR)
                         if f.path.endswith(TEXT_SUFFIXES)]
    sizes = {}
    for url in urls:
        response = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200, url
        assert response.headers.get("Content-Encoding") == "gzip", url
        assert gzip.decompress(response.data)  # really gzip
        sizes[url] = len(response.data)
    total = sum(sizes.values())
    print(f"\napp shell: {len(sizes)} files, {total / 1024:.1f} KB gzip as served")
    assert total < LIMIT, sizes
