"""Accounts: passwords, bearer tokens, lockout, and the desk's CSRF-protected sign-in."""
import hashlib
import re
from datetime import timedelta

from flask import g

from server.accounts.models import ApiToken, Role
from server.accounts.operations import LoginPolicy, attempt_login, issue_token
from server.db_types import utcnow
from server.extensions import db
from tests.factories import DEFAULT_PASSWORD


def login(client, username, password=DEFAULT_PASSWORD):
    return client.post("/api/auth/token", json={"username": username, "password": password})


def test_token_exchange_returns_token_and_user(client, make_user):
    user = make_user(role=Role.REVIEWER)
    response = login(client, user.username)
    assert response.status_code == 201
    assert response.json["user"]["username"] == user.username
    assert response.json["user"]["role_label"] == "住建局审核员"
    me = client.get("/api/me", headers={"Authorization": f"Bearer {response.json['token']}"})
    assert me.json["username"] == user.username


def test_password_is_stored_hashed(make_user):
    user = make_user()
    assert DEFAULT_PASSWORD not in user.password_hash


def test_token_is_stored_only_as_its_hash(client, make_user):
    user = make_user()
    token = login(client, user.username).json["token"]
    stored = db.session.scalar(db.select(ApiToken))
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in stored.token_hash


def test_wrong_password_answers_in_the_common_error_shape(client, make_user):
    user = make_user()
    response = login(client, user.username, "wrong-password")
    assert response.status_code == 401
    assert response.json["error"]["code"] == "auth.invalid_credentials"
    assert response.json["error"]["message"] == "用户名或密码错误"


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(client):
    response = login(client, "nobody", "whatever-password")
    assert response.status_code == 401
    assert response.json["error"]["code"] == "auth.invalid_credentials"


def test_repeated_failures_lock_the_account_even_for_the_right_password(client, make_user):
    user = make_user()
    for _ in range(5):
        login(client, user.username, "wrong-password")
    response = login(client, user.username)
    assert response.status_code == 429
    assert response.json["error"]["code"] == "auth.locked"
    assert response.json["error"]["details"]["retry_after"] > 0


def test_lock_expires_and_a_success_resets_the_count(app_context, make_user):
    user = make_user()
    policy = LoginPolicy(max_failures=2, lockout=timedelta(minutes=15))
    start = utcnow()
    for _ in range(2):
        attempt_login(user.username, "wrong-password", policy, now=start)
    assert attempt_login(user.username, DEFAULT_PASSWORD, policy, now=start).error.code == "auth.locked"
    later = start + timedelta(minutes=16)
    outcome = attempt_login(user.username, DEFAULT_PASSWORD, policy, now=later)
    assert outcome.user == user
    assert user.failed_logins == 0


def test_each_failure_past_the_limit_doubles_the_lock(app_context, make_user):
    user = make_user()
    policy = LoginPolicy(max_failures=1, lockout=timedelta(minutes=1))
    now = utcnow()
    attempt_login(user.username, "wrong", policy, now=now)
    first = user.locked_until - now
    user.locked_until = None
    attempt_login(user.username, "wrong", policy, now=now)
    assert user.locked_until - now == 2 * first


def test_request_without_token_is_401(client):
    response = client.get("/api/me")
    assert response.status_code == 401
    assert response.json["error"]["code"] == "auth.required"


def test_garbage_token_is_401(client):
    response = client.get("/api/me", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401
    assert response.json["error"]["code"] == "auth.token_invalid"


def test_expired_token_is_refused(client, make_user):
    user = make_user()
    token, row = issue_token(user, timedelta(hours=1))
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert response.json["error"]["code"] == "auth.token_invalid"


def test_revoked_token_is_refused(client, make_user, auth_headers):
    headers = auth_headers(make_user())
    assert client.delete("/api/auth/token", headers=headers).status_code == 204
    assert client.get("/api/me", headers=headers).status_code == 401


def test_inactive_account_cannot_use_its_token(client, make_user, auth_headers):
    user = make_user()
    headers = auth_headers(user)
    user.active = False
    db.session.commit()
    response = client.get("/api/me", headers=headers)
    assert response.status_code == 403
    assert response.json["error"]["code"] == "auth.inactive"


def _csrf_token(page: bytes) -> str:
    return re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1).decode()


def test_desk_sends_anonymous_visitors_to_sign_in(client):
    response = client.get("/desk/")
    assert response.status_code == 302
    assert "/desk/login" in response.headers["Location"]


def test_desk_sign_in_without_csrf_token_is_refused(client, make_user):
    user = make_user(role=Role.REVIEWER)
    response = client.post("/desk/login", data={"username": user.username,
                                                "password": DEFAULT_PASSWORD})
    assert response.status_code == 400
    assert client.get("/desk/").status_code == 302


def test_desk_sign_in_with_csrf_token_opens_the_overview(client, make_user, make_building):
    make_building()
    user = make_user(role=Role.REVIEWER)
    token = _csrf_token(client.get("/desk/login").data)
    response = client.post("/desk/login", data={"username": user.username,
                                                "password": DEFAULT_PASSWORD,
                                                "csrf_token": token})
    assert response.status_code == 302
    overview = client.get("/desk/")
    assert overview.status_code == 200
    assert "住房楼栋总览" in overview.get_data(as_text=True)


def test_desk_sign_in_never_redirects_off_site(client, make_user):
    user = make_user(role=Role.REVIEWER)
    token = _csrf_token(client.get("/desk/login").data)
    response = client.post("/desk/login?next=//evil.example/", data={
        "username": user.username, "password": DEFAULT_PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/desk/"


def _signed_in_desk(client, make_user):
    user = make_user(role=Role.REVIEWER)
    token = _csrf_token(client.get("/desk/login").data)
    client.post("/desk/login", data={"username": user.username, "password": DEFAULT_PASSWORD,
                                     "csrf_token": token})
    return user


def test_a_cookie_copied_before_sign_out_opens_nothing_after_it(app, client, make_user):
    _signed_in_desk(client, make_user)
    copied = client.get_cookie("session").value
    g.pop("csrf_token", None)  # Flask-WTF caches it in g, which these tests share across requests
    token = re.search(r'name="csrf_token" value="([^"]+)"',
                      client.get("/desk/review/").get_data(as_text=True)).group(1)
    response = client.post("/desk/logout", data={"csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[-600:]
    thief = app.test_client()
    thief.set_cookie("session", copied)
    response = thief.get("/desk/review/")
    assert response.status_code == 302 and "/desk/login" in response.headers["Location"]


def test_revoking_an_accounts_tokens_also_ends_its_desk_sessions(app, client, make_user):
    user = _signed_in_desk(client, make_user)
    assert client.get("/desk/review/").status_code == 200
    result = app.test_cli_runner().invoke(args=["users", "revoke-tokens", user.username])
    assert result.exit_code == 0, result.output
    assert client.get("/desk/review/").status_code == 302


def test_the_session_cookie_is_secure_behind_a_trusted_https_proxy(make_user, database_url,
                                                                   tmp_path):
    from server import create_app
    behind_proxy = create_app({"TESTING": True, "DATABASE_URL": database_url,
                               "SECRET_KEY": "test-secret", "LOUJIAN_TRUSTED_PROXIES": 1,
                               "LOUJIAN_MEDIA_DIR": str(tmp_path)})
    user = make_user(role=Role.REVIEWER)
    with behind_proxy.test_client() as client:
        https = {"X-Forwarded-Proto": "https", "Referer": "https://localhost/desk/login"}
        token = _csrf_token(client.get("/desk/login", headers=https).data)
        response = client.post("/desk/login", headers=https, data={
            "username": user.username, "password": DEFAULT_PASSWORD, "csrf_token": token})
        assert response.status_code == 302
        assert "Secure" in response.headers["Set-Cookie"]


def test_the_session_cookie_stays_plain_over_plain_http_without_a_trusted_proxy(client):
    response = client.get("/desk/login", headers={"X-Forwarded-Proto": "https"})
    assert "Secure" not in response.headers.get("Set-Cookie", "")
