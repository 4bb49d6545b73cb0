"""An account's devices as an administrator reads them: named by what they are (phone, system,
browser, app release), never by their hex id, with when they last synced and whether they are
still signed in."""
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from server.accounts.models import ApiToken, User
from server.db_types import utcnow
from server.extensions import db
from server.syncing.models import Device

# (pattern in the User-Agent, what it is called), first match wins.
SYSTEMS = ((r"iPhone", "iPhone"), (r"iPad", "iPad"), (r"HarmonyOS", "鸿蒙手机"),
           (r"Android", "安卓手机"), (r"Windows", "Windows 电脑"), (r"Macintosh", "Mac 电脑"),
           (r"Linux", "Linux 电脑"), (r"python-requests|loujian-sync", "楼检同步程序"))
BROWSERS = ((r"MicroMessenger/([\d.]+)", "微信"), (r"EdgA?/(\d+)", "Edge"),
            (r"(?:Chrome|CriOS)/(\d+)", "Chrome"), (r"Firefox/(\d+)", "Firefox"),
            (r"Version/(\d+)[\d.]* (?:Mobile/\S+ )?Safari", "Safari"))


@dataclass(frozen=True)
class DeviceView:
    id: str
    label: str
    app_version: str | None
    first_seen_at: datetime | None
    last_push_at: datetime | None
    last_pull_at: datetime | None
    signed_in: bool


def describe_user_agent(user_agent: str | None) -> str:
    """'安卓手机 · Chrome 131' from a User-Agent; '未知设备' when it says nothing we know."""
    text = user_agent or ""
    system = next((name for pattern, name in SYSTEMS if re.search(pattern, text)), None)
    browser = next((f"{name} {m.group(1).split('.')[0]}" for pattern, name in BROWSERS
                    if (m := re.search(pattern, text))), None)
    return " · ".join(part for part in (system, browser) if part) or "未知设备"


def devices_of(user: User) -> list[DeviceView]:
    """Latest synced first; two devices that read alike are numbered (…（2）)."""
    now = utcnow()
    rows = db.session.execute(
        select(Device, ApiToken).outerjoin(ApiToken, ApiToken.id == Device.token_id)
        .where(Device.user_id == user.id)).all()
    rows.sort(key=lambda row: max(filter(None, (row.Device.last_pull_at, row.Device.last_push_at,
                                                 row.Device.first_seen_at)), default=now),
              reverse=True)
    seen: dict[str, int] = {}
    views = []
    for device, token in reversed(rows):  # the oldest keeps the plain name
        label = describe_user_agent(device.user_agent)
        seen[label] = seen.get(label, 0) + 1
        if seen[label] > 1:
            label = f"{label}（{seen[label]}）"
        views.append(DeviceView(
            device.id, label, device.app_version, device.first_seen_at, device.last_push_at,
            device.last_pull_at, token is not None and token.revoked_at is None
            and token.expires_at > now))
    return list(reversed(views))
