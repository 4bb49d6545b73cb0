"""How the server hands out the app shell: the app at `/`, the service worker at the root scope
and never cached by HTTP, assets of a release that is no longer served refused."""
import re

from server.app_shell.shell import DEFAULT_PWA_DIR, shell_files


def test_root_is_the_app_and_the_desk_stays_at_desk(client):
    response = client.get("/")
    assert response.status_code == 200
    assert '<script type="module" src="/app/js/app.js">' in response.get_data(as_text=True)
    assert client.get("/desk/").status_code in (200, 302)  # the desk's own sign-in


def test_service_worker_is_served_at_root_scope_uncached(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert response.headers["Cache-Control"] == "no-cache"
    source = response.get_data(as_text=True)
    assert re.match(r'self\.RELEASE = \{"version": "[0-9a-f]{16}"', source)
    assert '"/api/forms/2025-gas-safety"' in source  # no round open: the newest system's forms
    for file in shell_files(DEFAULT_PWA_DIR):
        assert f'"{file.url}?v={file.digest[:16]}"' in source


def test_asset_of_another_release_is_refused(client):
    app_js = next(f for f in shell_files(DEFAULT_PWA_DIR) if f.path == "js/app.js")
    assert client.get(f"/app/js/app.js?v={app_js.digest[:16]}").status_code == 200
    assert client.get("/app/js/app.js?v=0123456789abcdef").status_code == 404


def test_files_outside_the_app_are_not_served(client):
    assert client.get("/app/../server/config.py").status_code == 404
    assert client.get("/app/sw.js").status_code == 404
    assert client.get("/app/js/missing.js").status_code == 404
