"""The client against the real app, served on a local port: the CLI pushes a defects file and a
photos folder; running it again — after success, after a lost answer, after losing the local
state — books nothing twice and uploads no photo twice."""
import csv
import io
import random
from urllib.parse import urlsplit

import pytest
import requests
from PIL import Image

from server.accounts.models import Role
from server.extensions import db
from server.findings.models import Finding
from server.photos.models import Photo
from sync.cli import main
from sync.client import SyncClient
from sync.photo_files import file_sha256
from tests.factories import DEFAULT_PASSWORD

HEADER = ["编号", "楼栋", "小区", "楼号", "指标", "检查项", "单元", "楼层", "问题描述", "照片", "发现时间"]
ROWS = [
    ["WX-001", "达明新村3#", "", "", "管线管道", "给水管道跑冒滴漏", "2", "-1", "水表间接口渗水",
     "leak.jpg", "2024-07-01 09:30"],
    ["WX-002", "", "达明新村", "4号楼", "6", "排水管道堵塞", "1", "1", "化粪池返水", "drain.jpg；leak.jpg", ""],
    ["WX-003", "达明新村3#", "", "", "楼道安全", "灭火器缺失", "", "5", "五层无灭火器", "", ""],
]


class RecordingSession(requests.Session):
    """A real session that notes each request, and can lose the answers to the first pushes."""

    def __init__(self, lose_push_answers=0):
        super().__init__()
        self.trust_env = False
        self.log, self.lose_push_answers = [], lose_push_answers

    def send(self, request, **kwargs):
        path = urlsplit(request.url).path
        self.log.append((request.method, path))
        response = super().send(request, **kwargs)
        if path == "/api/sync/push" and self.lose_push_answers:
            self.lose_push_answers -= 1
            raise requests.ConnectionError("connection reset after the server answered")
        return response

    def sent(self, method, prefix):
        return [p for m, p in self.log if m == method and p.startswith(prefix)]


@pytest.fixture
def company_user(make_round, make_property_company, make_estate, make_building, make_user):
    make_round("2024")
    company = make_property_company("夏县禹都物业服务有限公司")
    estate = make_estate("达明新村", property_company=company)
    make_building(estate, "3#")
    make_building(estate, "4#")
    user = make_user(Role.PROPERTY, property_company=company, username="wuye-yudu")
    db.session.commit()  # the server's threads read what the test made
    return user


@pytest.fixture
def defects(tmp_path):
    photos = tmp_path / "照片"
    photos.mkdir()
    for name, colour in (("leak.jpg", (20, 90, 160)), ("drain.jpg", (120, 80, 40))):
        Image.new("RGB", (640, 480), colour).save(photos / name, "JPEG", quality=90)
    path = tmp_path / "禹都物业问题清单.csv"
    with open(path, "w", encoding="gbk", newline="") as out:
        csv.writer(out).writerows([HEADER, *ROWS])
    return path, photos


@pytest.fixture
def run_cli(live_url, tmp_path, company_user):
    state = tmp_path / "state"

    def run(*argv, session=None):
        out, err = io.StringIO(), io.StringIO()
        code = main([*argv, "--state", str(state)], session=session or RecordingSession(),
                    sleep=lambda seconds: None, out=out, err=err,
                    ask_password=lambda prompt: DEFAULT_PASSWORD, env={})
        return code, out.getvalue(), err.getvalue()

    assert run("login", "--server", live_url, "--username", "wuye-yudu")[0] == 0
    return run


def push(run_cli, defects, session=None):
    path, photos = defects
    return run_cli("push-defects", str(path), "--photos", str(photos), session=session)


def count(model):
    db.session.rollback()  # see what the server's threads committed
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_cli_pushes_every_row_and_each_photo_once(run_cli, defects):
    session = RecordingSession()
    code, out, err = push(run_cli, defects, session)
    assert code == 0, out + err
    assert out.count("：已同步\n") == 3
    assert (count(Finding), count(Photo)) == (3, 2)
    assert len(session.sent("POST", "/api/sync/push")) == 1
    assert len(session.sent("PUT", "/api/photos/")) == 2


def test_running_the_cli_again_reports_already_applied_and_sends_nothing(run_cli, defects):
    push(run_cli, defects)
    session = RecordingSession()
    code, out, _ = push(run_cli, defects, session)
    assert code == 0 and out.count("已同步（重复提交，未重复入账）") == 3
    assert session.log == []
    assert (count(Finding), count(Photo)) == (3, 2)


def test_rerun_after_losing_the_local_state_is_answered_as_already_applied(run_cli, defects,
                                                                            tmp_path):
    push(run_cli, defects)
    for path in (tmp_path / "state").glob("outbox.sqlite3*"):
        path.unlink()
    session = RecordingSession()
    code, out, _ = push(run_cli, defects, session)
    assert code == 0 and out.count("已同步（重复提交，未重复入账）") == 3
    assert session.sent("PUT", "/api/photos/") == []  # the check said the server holds both
    assert (count(Finding), count(Photo)) == (3, 2)


def test_push_whose_answers_were_lost_is_booked_once_on_the_rerun(run_cli, defects):
    code, out, _ = push(run_cli, defects, RecordingSession(lose_push_answers=8))
    assert code == 1 and out.count("：未同步：") == 3
    assert count(Finding) == 3  # the server applied it; only the answers were lost
    code, out, _ = push(run_cli, defects)
    assert code == 0 and out.count("已同步（重复提交，未重复入账）") == 3
    assert (count(Finding), count(Photo)) == (3, 2)


def test_row_the_server_rejects_is_reported_with_its_reason(run_cli, defects):
    path, _ = defects
    with open(path, "a", encoding="gbk", newline="") as out:
        csv.writer(out).writerow(["WX-004", "达明新村3#", "", "", "6", "水管坏了", "", "", "", "", ""])
    code, out, _ = push(run_cli, defects)
    assert code == 1 and "第 5 行（编号 WX-004，达明新村3#）：失败：" in out
    assert count(Finding) == 3


def test_large_photo_cut_off_resumes_without_resending_held_bytes(live_url, company_user,
                                                                   tmp_path):
    path = tmp_path / "big.jpg"
    noise = Image.frombytes("RGB", (400, 300), random.Random(5).randbytes(400 * 300 * 3))
    noise.save(path, "JPEG", quality=95)
    sha, size = file_sha256(path), path.stat().st_size
    client = SyncClient(live_url, session=RecordingSession(), sleep=lambda s: None,
                        chunk_size=64 * 1024)
    client.login("wuye-yudu", DEFAULT_PASSWORD)
    first_piece = path.read_bytes()[:64 * 1024]
    client._request("PUT", f"/api/photos/{sha}/chunks", data=first_piece,
                    params={"offset": 0, "total": size},
                    headers={"Content-Type": "application/octet-stream"})
    partial = client.check_photos([sha])["partial"]
    assert partial == {sha: 64 * 1024}
    sent_before = client.stats.bytes_sent
    client.upload_photo(path, sha, received=partial[sha])
    assert client.stats.bytes_sent - sent_before == size - 64 * 1024
    assert client.upload_status(sha) == {"received": size, "complete": True}
