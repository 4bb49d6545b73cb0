"""Account administration through the API: accounts made with a one-time password, role and
scope within the county, the last administrator kept, and every refusal a clear 4xx that
changes nothing."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from server.accounts.models import Role, User
from server.audit.models import AuditEntry
from server.db_types import utcnow
from server.extensions import db


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN, username="guanli", display_name="县管理员")


@pytest.fixture
def admin_headers(admin, auth_headers):
    return auth_headers(admin)


@pytest.fixture
def xinhua(make_community):
    return make_community("新华社区")


def create(client, headers, **body):
    return client.post("/api/accounts", headers=headers, json={
        "username": "shequ-new", "display_name": "张新", "role": "worker", **body})


def audit_count() -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))


def test_created_account_gets_a_one_time_password_that_expires_in_72_hours(
        client, admin_headers, xinhua):
    answer = create(client, admin_headers, community_ids=[xinhua.id])
    assert answer.status_code == 201, answer.json
    assert answer.json["account"]["scope"] == "新华社区"
    assert len(answer.json["one_time_password"]) == 10
    user = db.session.scalar(sa.select(User).where(User.username == "shequ-new"))
    assert user.password_must_change
    assert timedelta(hours=71) < user.password_expires_at - utcnow() <= timedelta(hours=72)


def test_one_time_password_opens_only_the_change_of_password(client, admin_headers, xinhua):
    password = create(client, admin_headers, community_ids=[xinhua.id]).json["one_time_password"]
    refused = client.post("/api/auth/token", json={"username": "shequ-new", "password": password})
    assert refused.status_code == 403
    assert refused.json["error"]["code"] == "auth.password_change_required"
    changed = client.post("/api/auth/password", json={
        "username": "shequ-new", "password": password, "new_password": "xinmima2025"})
    assert changed.status_code == 201, changed.json
    me = client.get("/api/me", headers={"Authorization": f"Bearer {changed.json['token']}"})
    assert me.json["communities"] == [{"id": xinhua.id, "name": "新华社区"}]
    again = client.post("/api/auth/token", json={"username": "shequ-new", "password": password})
    assert again.json["error"]["code"] == "auth.invalid_credentials"


def test_expired_one_time_password_is_refused_with_its_own_message(client, admin_headers, xinhua):
    password = create(client, admin_headers, community_ids=[xinhua.id]).json["one_time_password"]
    user = db.session.scalar(sa.select(User).where(User.username == "shequ-new"))
    user.password_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    for path, body in (("/api/auth/token", {}), ("/api/auth/password",
                                                 {"new_password": "xinmima2025"})):
        answer = client.post(path, json={"username": "shequ-new", "password": password, **body})
        assert answer.status_code == 401
        assert answer.json["error"]["code"] == "auth.password_expired"
        assert "过期" in answer.json["error"]["message"]


def test_new_password_may_not_be_the_one_time_password(client, admin_headers, xinhua):
    password = create(client, admin_headers, community_ids=[xinhua.id]).json["one_time_password"]
    answer = client.post("/api/auth/password", json={
        "username": "shequ-new", "password": password, "new_password": password})
    assert answer.status_code == 422
    assert "new_password" in answer.json["error"]["details"]["fields"]


def test_reset_password_replaces_the_old_one_and_unlocks(client, admin_headers, make_user):
    worker = make_user(Role.WORKER, username="wang")
    worker.locked_until, worker.failed_logins = utcnow() + timedelta(minutes=15), 7
    db.session.commit()
    answer = client.post(f"/api/accounts/{worker.id}/password-reset", headers=admin_headers,
                         json={})
    assert answer.status_code == 200, answer.json
    assert answer.json["account"]["locked"] is False
    old = client.post("/api/auth/token", json={"username": "wang", "password": "loujian2024"})
    assert old.json["error"]["code"] == "auth.invalid_credentials"
    fresh = client.post("/api/auth/token", json={
        "username": "wang", "password": answer.json["one_time_password"]})
    assert fresh.json["error"]["code"] == "auth.password_change_required"


def test_reused_username_is_refused_and_changes_nothing(client, admin_headers, xinhua, make_user):
    make_user(Role.WORKER, username="shequ-new")
    before = audit_count()
    answer = create(client, admin_headers, community_ids=[xinhua.id])
    assert answer.status_code == 422
    assert "username" in answer.json["error"]["details"]["fields"]
    assert audit_count() == before


@pytest.mark.parametrize("scope", [
    {"community_ids": [987654]}, {"community_ids": []},
    {"role": "property", "property_company_id": 987654}, {"role": "agency", "agency_id": None}])
def test_scope_outside_the_county_or_missing_is_refused(client, admin_headers, scope):
    answer = create(client, admin_headers, **scope)
    assert answer.status_code == 422, answer.json
    assert db.session.scalar(sa.select(User).where(User.username == "shequ-new")) is None


def test_community_of_another_county_is_refused_as_unknown(
        client, admin_headers, make_community, make_county):
    outer = make_community("远山社区", "远山镇", county=make_county("外县", "149999"))
    db.session.commit()
    answer = create(client, admin_headers, community_ids=[outer.id])
    assert answer.status_code == 422
    assert "远山" not in answer.get_data(as_text=True)


def test_account_of_another_county_is_not_found(client, admin_headers, make_county):
    from server.accounts.operations import create_user
    outer = create_user(username="outer", password="loujian2024", display_name="外县人",
                        role=Role.REVIEWER, county=make_county("外县", "149999"))
    db.session.commit()
    for method, path in (("GET", ""), ("PATCH", ""), ("POST", "/password-reset"),
                         ("POST", "/unlock")):
        answer = client.open(f"/api/accounts/{outer.id}{path}", method=method,
                             headers=admin_headers, json={})
        assert answer.status_code == 404, (method, path)
        assert "外县人" not in answer.get_data(as_text=True)


@pytest.mark.parametrize("change", [{"role": "reviewer"}, {"active": False}])
def test_last_active_admin_cannot_be_demoted_or_disabled(client, admin, admin_headers, change):
    answer = client.patch(f"/api/accounts/{admin.id}", headers=admin_headers, json=change)
    assert answer.status_code == 409
    assert answer.json["error"]["code"] == "account.last_admin"
    db.session.refresh(admin)
    assert admin.role == "admin" and admin.active


def test_an_admin_may_step_down_while_another_stays(client, admin, admin_headers, make_user):
    make_user(Role.ADMIN)
    answer = client.patch(f"/api/accounts/{admin.id}", headers=admin_headers,
                          json={"role": "reviewer"})
    assert answer.status_code == 200, answer.json


def test_moving_a_worker_raises_its_scope_epoch_and_is_audited(
        client, admin_headers, make_user, make_community, xinhua):
    yuwang = make_community("禹王社区")
    worker = make_user(Role.WORKER, communities=[xinhua])
    answer = client.patch(f"/api/accounts/{worker.id}", headers=admin_headers,
                          json={"community_ids": [yuwang.id]})
    assert answer.status_code == 200, answer.json
    assert answer.json["scope"] == "禹王社区"
    db.session.refresh(worker)
    assert worker.scope_epoch == 1
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action ==
                                                          "account.scope_changed"))
    assert entry.details == {"before": "社区管理员：新华社区", "after": "社区管理员：禹王社区"}


def test_renaming_leaves_the_scope_epoch_alone(client, admin_headers, make_user, xinhua):
    worker = make_user(Role.WORKER, communities=[xinhua])
    client.patch(f"/api/accounts/{worker.id}", headers=admin_headers, json={"display_name": "李四"})
    db.session.refresh(worker)
    assert worker.display_name == "李四" and worker.scope_epoch == 0


def test_disabling_refuses_the_accounts_tokens(client, admin_headers, make_user, auth_headers):
    worker = make_user(Role.WORKER)
    headers = auth_headers(worker)
    client.patch(f"/api/accounts/{worker.id}", headers=admin_headers, json={"active": False})
    assert client.get("/api/me", headers=headers).json["error"]["code"] == "auth.inactive"


def test_only_admins_administer_accounts(client, make_user, auth_headers):
    reviewer = auth_headers(make_user(Role.REVIEWER))
    assert client.get("/api/accounts", headers=reviewer).status_code == 403
