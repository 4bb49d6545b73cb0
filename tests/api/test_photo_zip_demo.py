"""Every community of the demo county downloads as a photo ZIP over a real server — the body is
streamed after the request's own context has gone, as in production — with every photo in it,
each stamped copy signed evidence of its photo."""
import hashlib
import io
import re
import zipfile

import pytest
import requests
from PIL import Image
from sqlalchemy import select

from server.buildings.models import Building, Community, Estate
from server.demo.county import plan_county
from server.demo.seed import DEMO_PASSWORD
from server.extensions import db
from server.findings.models import Finding, FindingPhoto
from server.photos import provenance
from server.photos.operations import evidence_credentials

COMMUNITIES = [community.name for community in plan_county().communities]


@pytest.fixture
def desk(seeded, live_url):
    """A browser signed in as the demo's reviewer, against the live server."""
    browser = requests.Session()
    form = browser.get(f"{live_url}/desk/login").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    signed_in = browser.post(f"{live_url}/desk/login", allow_redirects=False, data={
        "csrf_token": token, "username": "shenhe", "password": DEMO_PASSWORD})
    assert signed_in.status_code == 302, signed_in.text[:300]
    return browser, live_url


def photo_hashes(community_name: str) -> tuple[int, set[str]]:
    community_id = db.session.scalar(select(Community.id).where(Community.name == community_name))
    hashes = set(db.session.scalars(
        select(FindingPhoto.sha256).join(Finding, FindingPhoto.finding_id == Finding.id)
        .join(Building, Finding.building_id == Building.id).join(Estate)
        .where(Estate.community_id == community_id)))
    return community_id, hashes


@pytest.mark.parametrize("community_name", COMMUNITIES)
def test_each_demo_community_downloads_every_photo_original_and_a_readable_stamped_copy(
        desk, community_name):
    browser, url = desk
    community_id, hashes = photo_hashes(community_name)
    response = browser.get(f"{url}/desk/exports/photos/{community_id}.zip")
    if not hashes:
        assert response.status_code == 404
        assert "还没有问题照片" in response.text and response.headers["Content-Type"].startswith(
            "text/html")
        return
    assert response.status_code == 200, response.text[:500]
    assert response.headers["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.testzip() is None
    names = archive.namelist()
    originals = [n for n in names if "原图/" in n]
    stamped = [n for n in names if "标注/" in n]
    assert "缺失照片.txt" not in names
    assert {hashlib.sha256(archive.read(n)).hexdigest() for n in originals} == hashes
    assert len(stamped) == len(originals)
    anchor = evidence_credentials().anchor_pem
    for name in stamped:
        copy = archive.read(name)
        with Image.open(io.BytesIO(copy)) as image:
            image.load()
            assert image.format == "JPEG" and image.width > 0
        verdict = provenance.verify(copy, anchor)
        assert verdict.status == provenance.AUTHENTIC, (name, verdict.lines)
        assert verdict.evidence["original_sha256"] in hashes
        assert verdict.evidence["original_sha256"][:12] in name


@pytest.mark.parametrize("path", ["/desk/exports/problems.xlsx", "/desk/exports/building-ledger.csv",
                                  "/desk/exports/finding-ledger.csv"])
def test_streamed_exports_of_the_demo_county_download_whole_from_a_real_server(desk, path):
    """Their rows are produced after the request's session is gone (as the photo ZIP's are)."""
    browser, url = desk
    response = browser.get(url + path)
    assert response.status_code == 200
    assert len(response.content) > 1000 and "服务器内部错误".encode() not in response.content
