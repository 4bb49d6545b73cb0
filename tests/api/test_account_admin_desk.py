"""Account administration on the desk: the same rules as the API, a refusal shown as a form
error that changes nothing; the desk's sign-in forcing a one-time password's change; the audit
log filtered by actor, action, target and date."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from server.accounts.models import Role, User
from server.audit.models import AuditEntry
from server.db_types import utcnow
from server.extensions import db
from sync.china_time import china_today
from tests.api.test_auth import _csrf_token


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN, username="guanli", display_name="县管理员")


@pytest.fixture
def desk(client, admin, sign_in, csrf_from):
    sign_in(admin)
    token = csrf_from("/desk/accounts/new")

    def post(path, **data):
        return client.post(path, data={"csrf_token": token, **data})
    return post


@pytest.fixture
def xinhua(make_community):
    return make_community("新华社区")


def entries() -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))


def test_new_account_page_shows_the_one_time_password_once(desk, xinhua):
    page = desk("/desk/accounts/new", display_name="张新", username="zhang", role="worker",
                community_ids=str(xinhua.id))
    assert page.status_code == 200
    assert 'id="one-time-password"' in page.get_data(as_text=True)
    assert db.session.scalar(sa.select(User).where(User.username == "zhang")).password_must_change


def test_reused_username_is_a_form_error_that_changes_nothing(desk, xinhua, make_user):
    make_user(Role.WORKER, username="zhang")
    before = entries()
    page = desk("/desk/accounts/new", display_name="张新", username="zhang", role="worker",
                community_ids=str(xinhua.id))
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert "已被使用" in text and 'value="张新"' in text
    assert entries() == before


def test_demoting_the_last_admin_is_a_form_error(desk, admin):
    page = desk(f"/desk/accounts/{admin.id}", role="reviewer")
    assert page.status_code == 409
    assert "至少要保留一个启用的系统管理员" in page.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.role == "admin"


def test_moving_a_worker_on_the_desk(desk, make_user, make_community, xinhua):
    yuwang = make_community("禹王社区")
    worker = make_user(Role.WORKER, communities=[xinhua])
    answer = desk(f"/desk/accounts/{worker.id}", display_name=worker.display_name,
                  role="worker", community_ids=str(yuwang.id))
    assert answer.status_code == 302
    db.session.refresh(worker)
    assert [c.name for c in worker.communities] == ["禹王社区"] and worker.scope_epoch == 1


def test_desk_sign_in_with_a_one_time_password_asks_for_a_new_one_first(
        client, admin, make_user):
    worker = make_user(Role.REVIEWER, username="li", password="linshi-1234")
    worker.password_must_change, worker.password_expires_at = True, utcnow() + timedelta(hours=1)
    db.session.commit()
    token = _csrf_token(client.get("/desk/login").data)
    page = client.post("/desk/login", data={"csrf_token": token, "username": "li",
                                            "password": "linshi-1234"})
    assert "设置新密码" in page.get_data(as_text=True)
    assert client.get("/desk/").status_code == 302  # not signed in yet
    mismatch = client.post("/desk/password", data={
        "csrf_token": token, "username": "li", "password": "linshi-1234",
        "new_password": "li-xinmima", "new_password_again": "li-xinmima2"})
    assert "两次输入的新密码不一致" in mismatch.get_data(as_text=True)
    done = client.post("/desk/password", data={
        "csrf_token": token, "username": "li", "password": "linshi-1234",
        "new_password": "li-xinmima", "new_password_again": "li-xinmima"})
    assert done.status_code == 302
    assert client.get("/desk/").status_code == 200


def test_desk_sign_in_with_an_expired_one_time_password_says_so(client, make_user):
    worker = make_user(Role.REVIEWER, username="li", password="linshi-1234")
    worker.password_must_change, worker.password_expires_at = True, utcnow() - timedelta(hours=1)
    db.session.commit()
    page = client.post("/desk/login", data={"csrf_token": _csrf_token(client.get("/desk/login").data),
                                            "username": "li", "password": "linshi-1234"})
    assert page.status_code == 401
    assert "临时密码已过期" in page.get_data(as_text=True)


def test_audit_log_filters_by_actor_action_target_and_date(client, desk, admin, make_user,
                                                         xinhua):
    worker = make_user(Role.WORKER, communities=[xinhua], display_name="王五")
    desk(f"/desk/accounts/{worker.id}/unlock")
    desk(f"/desk/accounts/{worker.id}/password-reset")
    today = china_today().isoformat()
    page = client.get("/desk/audit", query_string={
        "actor": admin.id, "action": "account.unlocked", "target": "王五"})
    text = page.get_data(as_text=True)
    assert "解除锁定" in text and "重置密码" not in text.split("<tbody>")[1]
    assert "共 1 条" in text
    empty = client.get("/desk/audit", query_string={"target": "王五", "date_to": "2020-01-01"})
    assert "共 0 条" in empty.get_data(as_text=True)
    assert "共 2 条" in client.get("/desk/audit", query_string={
        "target": str(worker.id), "date_from": today}).get_data(as_text=True)


def test_only_admins_see_the_account_pages(client, make_user, sign_in):
    sign_in(make_user(Role.REVIEWER))
    assert client.get("/desk/accounts").status_code == 403
    assert client.get("/desk/audit").status_code == 403
