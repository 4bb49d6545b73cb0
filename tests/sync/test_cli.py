"""`python -m sync` against a fake server: per-row results in Chinese, exit codes, safe re-runs."""
import csv
import io
import stat

import pytest

from sync.cli import main
from tests.sync.fake_transport import BASE_URL, FakeLoujian, building, session_for

HEADER = ["编号", "小区", "楼号", "指标", "检查项", "楼层", "问题描述", "照片"]
ROWS = [["WX-001", "达明新村", "3#", "管线管道", "给水管道跑冒滴漏", "3", "立管接口渗水", "a.jpg"],
        ["WX-002", "达明新村", "4号楼", "6", "排水管道堵塞", "1", "化粪池返水", "b.jpg；c.jpg"],
        ["WX-003", "达明新村", "3#", "楼道安全", "灭火器缺失", "5", "", ""]]
PUSH, PHOTO_PUT = ("POST", "/api/sync/push"), ("PUT", r"/api/photos/[0-9a-f]{64}")


@pytest.fixture
def server():
    return FakeLoujian([building(12, "达明新村", "3#"), building(13, "达明新村", "4#"),
                        building(14, "达明新村二期", "3#")])


@pytest.fixture
def run(server, tmp_path):
    session, _ = session_for(server)

    def run(*argv):
        out, err = io.StringIO(), io.StringIO()
        code = main([*argv, "--state", str(tmp_path / "state")], session=session,
                    sleep=lambda s: None, out=out, err=err, ask_password=lambda prompt: "loujian2024",
                    env={})
        return code, out.getvalue(), err.getvalue()
    return run


@pytest.fixture
def files(tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    for name in ("a.jpg", "b.jpg", "c.jpg"):
        (photos / name).write_bytes(b"\xff\xd8\xff\xe0" + name.encode() * 100)

    def write(rows=ROWS):
        path = tmp_path / "缺陷清单.csv"
        with open(path, "w", encoding="utf-8-sig", newline="") as out:
            csv.writer(out).writerows([HEADER, *rows])
        return path, photos
    return write


@pytest.fixture
def logged_in(run):
    assert run("login", "--server", BASE_URL, "--username", "wuye-yudu")[0] == 0


def push(run, files, rows=ROWS):
    path, photos = files(rows)
    return run("push-defects", str(path), "--photos", str(photos))


def test_login_saves_the_token_readable_only_by_its_owner(run, tmp_path):
    code, out, _ = run("login", "--server", BASE_URL, "--username", "wuye-yudu")
    credentials = tmp_path / "state" / "credentials.json"
    assert code == 0 and "已登录" in out and "夏县禹都物业服务有限公司" in out
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    assert '"scope": "company:7"' in credentials.read_text(encoding="utf-8")


def test_wrong_password_is_reported_and_nothing_saved(run, tmp_path, server):
    session, _ = session_for(server)
    err = io.StringIO()
    code = main(["login", "--server", BASE_URL, "--username", "u", "--state", str(tmp_path / "s")],
                session=session, out=io.StringIO(), err=err, ask_password=lambda p: "wrong", env={})
    assert code == 1 and "用户名或密码错误" in err.getvalue()
    assert not (tmp_path / "s" / "credentials.json").exists()


def test_push_defects_needs_a_login_first(run, files):
    code, _, err = push(run, files)
    assert code == 2 and "尚未登录" in err


def test_push_defects_prints_each_rows_result_and_exits_0_when_all_applied(run, files, server,
                                                                            logged_in):
    code, out, _ = push(run, files)
    assert code == 0
    assert "第 2 行（编号 WX-001，达明新村3#）：已同步\n" in out
    assert "第 3 行（编号 WX-002，达明新村4号楼）：已同步\n" in out
    assert "合计：3 行；已同步 3 行（其中重复提交 0 行），失败 0 行，待发送 0 行；本次上传照片 3 张" in out
    assert len(server.findings) == 3 and len(server.photos) == 3


def test_running_push_defects_again_reports_rows_as_already_synced_and_sends_nothing(
        run, files, server, logged_in):
    push(run, files)
    log_before = len(server.log)
    code, out, _ = push(run, files)
    assert code == 0
    assert out.count("已同步（重复提交，未重复入账）") == 3
    assert server.log[log_before:] == []  # no lookup, no push, no photo
    assert len(server.findings) == 3


def test_push_defects_after_losing_the_state_folder_books_nothing_twice(run, files, server,
                                                                       logged_in, tmp_path):
    push(run, files)
    (tmp_path / "state" / "outbox.sqlite3").unlink()
    for leftover in (tmp_path / "state").glob("outbox.sqlite3-*"):
        leftover.unlink()
    code, out, _ = push(run, files)
    assert code == 0 and out.count("已同步（重复提交，未重复入账）") == 3
    assert len(server.findings) == 3 and len(server.requests_to(*PHOTO_PUT)) == 3


def test_failed_row_is_reported_with_the_servers_reason_and_exit_1(run, files, server, logged_in):
    rows = [*ROWS[:2], ["WX-009", "达明新村", "3#", "6", "水管漏了", "2", "", ""]]
    code, out, _ = push(run, files, rows)
    assert code == 1
    assert "第 4 行（编号 WX-009，达明新村3#）：失败：提交的数据未通过校验，请按提示修改；检查项：不是该指标的检查项" in out
    assert len(server.findings) == 2


def test_unknown_building_is_a_failed_row_and_the_others_go_through(run, files, server, logged_in):
    rows = [ROWS[0], ["WX-010", "达明新村", "99#", "6", "供水不足", "", "", ""]]
    code, out, _ = push(run, files, rows)
    assert code == 1 and "第 3 行（编号 WX-010，达明新村99#）：失败：找不到楼栋“达明新村99#”" in out
    assert len(server.findings) == 1


def test_push_defects_when_the_server_is_down_keeps_rows_for_a_safe_rerun(run, files, server,
                                                                         logged_in):
    for _ in range(8):
        server.drop(*PUSH)
    code, out, _ = push(run, files)
    assert code == 1 and out.count("未同步：无法连接服务器") == 3
    assert "python -m sync retry" in out and server.findings == []
    code, out, _ = push(run, files)
    assert code == 0 and len(server.findings) == 3 and len(server.requests_to(*PHOTO_PUT)) == 3


def test_push_whose_answer_was_lost_is_booked_once_on_the_rerun(run, files, server, logged_in):
    for _ in range(8):
        server.lose_answer(*PUSH)
    assert push(run, files)[0] == 1
    code, out, _ = push(run, files)
    assert code == 0 and out.count("已同步（重复提交，未重复入账）") == 3
    assert len(server.findings) == 3


def test_rows_with_photo_upload_pending_exit_1_and_retry_finishes_them(run, files, server,
                                                                      logged_in):
    for _ in range(8):
        server.drop(*PHOTO_PUT)
    code, out, _ = push(run, files)
    assert code == 1 and "照片未到达服务器：a.jpg：待上传" in out
    code, out, _ = run("retry")
    assert code == 0 and "上传照片 3 张" in out and len(server.photos) == 3


def test_status_lists_what_is_waiting_and_what_failed(run, files, server, logged_in):
    for _ in range(8):
        server.drop(*PUSH)
    push(run, files, [ROWS[0]])
    assert server.faults == []  # every drop struck: the row waited
    push(run, files, [["WX-009", "达明新村", "3#", "6", "水管漏了", "", "", ""]])
    code, out, _ = run("status")
    assert code == 0
    assert "待发送 0 条，已同步 1 条，失败 1 条" in out
    assert "缺陷清单.csv 第 2 行：提交的数据未通过校验" in out


def test_retry_sends_what_is_waiting(run, files, server, logged_in):
    for _ in range(8):
        server.drop(*PUSH)
    push(run, files)
    code, out, _ = run("retry")
    assert code == 0 and "已同步 3 条" in out and len(server.findings) == 3


def test_outbox_of_one_server_is_not_pushed_to_another(run, files, logged_in):
    path, photos = files()
    code, _, err = run("push-defects", str(path), "--photos", str(photos),
                       "--server", "http://other.example")
    assert code == 2 and "已登录的是" in err


def test_unreadable_file_is_a_usage_error(run, tmp_path, logged_in, files):
    _, photos = files()
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    code, _, err = run("push-defects", str(tmp_path / "old.xls"), "--photos", str(photos))
    assert code == 2 and ".xls" in err


def test_expired_login_asks_to_log_in_again(run, files, tmp_path, logged_in):
    credentials = tmp_path / "state" / "credentials.json"
    credentials.write_text(credentials.read_text(encoding="utf-8").replace('"test-token"', '"old"'),
                           encoding="utf-8")
    code, out, _ = push(run, files)
    assert code == 1 and "登录凭证无效或已过期" in out
    assert f"请重新登录：python -m sync login --server {BASE_URL} --username wuye-yudu" in out


def test_server_address_without_a_scheme_is_a_usage_error(run):
    code, _, err = run("login", "--server", "loujian.example.gov.cn", "--username", "wuye-yudu")
    assert code == 2 and "http://" in err
