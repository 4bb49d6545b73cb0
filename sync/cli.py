"""`python -m sync`: a property company pushes its defects list and photos, and sees what is waiting.

    python -m sync login --server URL --username U     (asks for the password, or LOUJIAN_PASSWORD)
    python -m sync push-defects FILE --photos DIR [--server URL] [--state DIR]
    python -m sync status [--state DIR]
    python -m sync retry [--state DIR]

The state folder (default ./.loujian-sync) holds the login token and the outbox. Every command can
be run again after any failure: nothing is sent twice and nothing unconfirmed is forgotten.
Exit codes: 0 everything is on the server; 1 something failed or is still waiting; 2 usage error.
"""
import argparse
import getpass
import json
import os
import socket
import sys
import time
from pathlib import Path

from sync.client import ServerRefused, SyncClient
from sync.defects_file import DefectsFileError, IndicatorCatalogue
from sync.defects_push import DONE, DONE_BEFORE, FAILED, describe_server_error, push_defects
from sync.outbox import Outbox
from sync.retry import ServerUnreachable

DEFAULT_STATE = ".loujian-sync"
CREDENTIALS_FILE = "credentials.json"
OUTBOX_FILE = "outbox.sqlite3"
RETRY_HINT = "已保存在本地，稍后运行 python -m sync retry 继续发送"


class UsageProblem(Exception):
    """Something the user must fix before the command can run (exit code 2)."""


def main(argv=None, *, session=None, sleep=time.sleep, out=None, err=None,
         ask_password=getpass.getpass, env=None) -> int:
    out, err, env = out or sys.stdout, err or sys.stderr, os.environ if env is None else env
    args = _parser().parse_args(argv)
    context = _Context(Path(args.state), session, sleep, out, err)
    try:
        if args.command == "login":
            return _login(context, args, ask_password, env)
        if args.command == "push-defects":
            return _push_defects(context, args)
        if args.command == "status":
            return _status(context)
        return _retry(context, args)
    except UsageProblem as problem:
        print(f"错误：{problem}", file=err)
        return 2
    except KeyboardInterrupt:
        print(f"\n已中断。未同步的内容{RETRY_HINT}。", file=err)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sync", description="楼检同步客户端：批量上报问题与照片")
    commands = parser.add_subparsers(dest="command", required=True)
    login = commands.add_parser("login", help="登录并在本地保存访问令牌")
    login.add_argument("--server", required=True, help="服务器地址，如 https://loujian.example.gov.cn")
    login.add_argument("--username", required=True)
    push = commands.add_parser("push-defects", help="上报问题清单（CSV 或 XLSX）及其照片")
    push.add_argument("file", type=Path)
    push.add_argument("--photos", type=Path, required=True, help="照片所在目录（清单中的照片文件名相对于此目录）")
    push.add_argument("--server", help="服务器地址（默认：登录时的地址）")
    push.add_argument("--sheet", help="XLSX 的工作表名（默认第一个）")
    push.add_argument("--system", help="指标体系（默认：登录时服务器当前轮次的指标体系）")
    commands.add_parser("status", help="查看本地待发送和失败的记录")
    retry = commands.add_parser("retry", help="重新发送本地待发送的记录和照片")
    retry.add_argument("--server", help="服务器地址（默认：登录时的地址）")
    for command in commands.choices.values():
        command.add_argument("--state", default=DEFAULT_STATE, help=f"本地状态目录（默认 {DEFAULT_STATE}）")
    return parser


class _Context:
    def __init__(self, state: Path, session, sleep, out, err):
        self.state, self.session, self.sleep, self.out, self.err = state, session, sleep, out, err

    def say(self, text: str = "") -> None:
        print(text, file=self.out)

    def credentials(self, server: str | None = None) -> dict:
        path = self.state / CREDENTIALS_FILE
        if not path.is_file():
            raise UsageProblem("尚未登录，请先运行：python -m sync login --server 服务器地址 --username 用户名")
        saved = json.loads(path.read_text(encoding="utf-8"))
        if server and not _same_server(server, saved["server"]):
            raise UsageProblem(f"已登录的是 {saved['server']}，不是 {server}；请先登录该服务器，"
                               "或用 --state 指定另一个状态目录")
        return saved

    def save_credentials(self, saved: dict) -> None:
        self.state.mkdir(parents=True, exist_ok=True)
        path = self.state / CREDENTIALS_FILE
        path.touch(mode=0o600, exist_ok=True)
        path.chmod(0o600)  # the token is a password: readable by this user only
        path.write_text(json.dumps(saved, ensure_ascii=False, indent=2), encoding="utf-8")

    def client(self, saved: dict) -> SyncClient:
        def tell(reason, delay):
            print(f"{reason}，{delay:.0f} 秒后重试……", file=self.err)
        return SyncClient(saved["server"], saved["token"], session=self.session, sleep=self.sleep,
                          on_retry=tell)

    def outbox(self, server: str) -> Outbox:
        outbox = Outbox(self.state / OUTBOX_FILE)
        owner = outbox.get_meta("server")
        if owner is None:
            outbox.set_meta("server", server)
        elif not _same_server(owner, server):
            outbox.close()
            raise UsageProblem(f"状态目录 {self.state} 中的记录属于服务器 {owner}；请用 --state 指定另一个目录")
        return outbox


def _same_server(a: str, b: str) -> bool:
    return a.rstrip("/").lower() == b.rstrip("/").lower()


# ---- commands ----------------------------------------------------------------------------------

def _login(context: _Context, args, ask_password, env) -> int:
    if not args.server.startswith(("http://", "https://")):
        raise UsageProblem(f"服务器地址应以 http:// 或 https:// 开头：{args.server}")
    password = env.get("LOUJIAN_PASSWORD") or ask_password(f"{args.username} 的密码：")
    client = SyncClient(args.server, session=context.session, sleep=context.sleep)
    try:
        answer = client.login(args.username, password, label=f"sync {socket.gethostname()}"[:60])
    except ServerRefused as refusal:
        print(f"登录失败：{refusal.message}", file=context.err)
        return 1
    except ServerUnreachable as error:
        print(f"登录失败：{error.reason}", file=context.err)
        return 1
    user = answer["user"]
    company = user.get("property_company")
    context.save_credentials({
        "server": client.base_url, "token": answer["token"], "expires_at": answer.get("expires_at"),
        "username": user["username"], "display_name": user.get("display_name"),
        "company": company["name"] if company else None,
        # operation ids are made per scope: two colleagues pushing one file make the same ids
        "scope": f"company:{company['id']}" if company else f"user:{user['username']}",
        # asked once here, so that running push-defects again sends nothing at all
        "system": _server_system(client),
    })
    who = f"{user.get('display_name') or user['username']}（{user.get('role_label', user.get('role'))}"
    who += f"，{company['name']}）" if company else "）"
    context.say(f"已登录：{who}。凭证保存在 {context.state}，有效期至 {answer.get('expires_at')}。")
    return 0


def _server_system(client) -> str | None:
    """The system the server's current round uses, so a file is read with that system's check items
    (forms/ may ship a newer one); None — the newest in forms/ — when the server cannot say."""
    try:
        return client.current_system()
    except (ServerUnreachable, ServerRefused, KeyError, TypeError):
        return None


def _push_defects(context: _Context, args) -> int:
    saved = context.credentials(args.server)
    if not args.photos.is_dir():
        raise UsageProblem(f"照片目录 {args.photos} 不存在")
    client = context.client(saved)
    try:
        indicators = IndicatorCatalogue.load(args.system or saved.get("system"))
    except DefectsFileError as problem:
        raise UsageProblem(str(problem)) from None
    with context.outbox(saved["server"]) as outbox:
        try:
            outcome = push_defects(args.file, args.photos, client=client, outbox=outbox,
                                   scope=saved["scope"], indicators=indicators, sheet=args.sheet)
        except DefectsFileError as problem:
            raise UsageProblem(str(problem)) from None
        except ServerUnreachable as error:
            context.say(f"查找楼栋时出错：{error.reason}。"
                        "请稍后重新运行本命令（已登记的行不会重复提交）。")
            return 1
        except ServerRefused as refusal:
            context.say(f"查找楼栋时出错：{refusal.message}。")
            if refusal.needs_login:
                context.say(_login_hint(saved))
            return 1
    _print_push(context, outcome, client, saved)
    return 0 if outcome.complete else 1


def _print_push(context: _Context, outcome, client: SyncClient, saved: dict) -> None:
    context.say(f"读取 {outcome.path.name}：数据 {len(outcome.rows)} 行（表头在第 {outcome.header_row} 行）")
    if outcome.unused_headers:
        context.say(f"未使用的列：{'、'.join(outcome.unused_headers)}")
    for row in outcome.rows:
        label = "，".join(x for x in (f"编号 {row.key}" if row.key else None, row.building) if x)
        head = f"第 {row.row_number} 行" + (f"（{label}）" if label else "")
        context.say(f"{head}：{_row_status(row)}")
    counts = {status: sum(r.status == status for r in outcome.rows)
              for status in (DONE, DONE_BEFORE, FAILED)}
    waiting = len(outcome.rows) - sum(counts.values())
    photos_waiting = sum(bool(r.photo_notes) for r in outcome.rows)
    context.say(f"合计：{len(outcome.rows)} 行；已同步 {counts[DONE] + counts[DONE_BEFORE]} 行"
                f"（其中重复提交 {counts[DONE_BEFORE]} 行），失败 {counts[FAILED]} 行，待发送 {waiting} 行；"
                f"本次上传照片 {outcome.report.photos_uploaded} 张"
                + (f"，{photos_waiting} 行的照片尚未全部到达服务器" if photos_waiting else "") + "。")
    _print_stop(context, outcome.report, saved)
    context.say(f"（请求 {client.stats.requests} 次，发送 {client.stats.bytes_sent} 字节）")


def _print_stop(context: _Context, report, saved: dict) -> None:
    if report.stopped:
        context.say(f"同步中断：{report.stopped}。未同步的内容{RETRY_HINT}。")
    if report.needs_login:
        context.say(_login_hint(saved))


def _login_hint(saved: dict) -> str:
    return (f"请重新登录：python -m sync login --server {saved['server']} "
            f"--username {saved['username']}")


def _row_status(row) -> str:
    if row.status == DONE:
        text = "已同步"
    elif row.status == DONE_BEFORE:
        text = "已同步（重复提交，未重复入账）"
    elif row.status == FAILED:
        text = "失败：" + "；".join(row.reasons)
    else:
        text = f"未同步：{'；'.join(row.reasons)}，{RETRY_HINT}"
    if row.photo_notes:
        text += "；照片未到达服务器：" + "；".join(row.photo_notes)
    if row.note:
        text += f"（{row.note}）"
    return text


def _status(context: _Context) -> int:
    saved = context.credentials()
    with context.outbox(saved["server"]) as outbox:
        counts, photos = outbox.counts(), outbox.photo_counts()
        context.say(f"服务器：{saved['server']}（用户 {saved['username']}"
                    + (f"，{saved['company']}）" if saved.get("company") else "）"))
        context.say(f"待发送 {counts['pending'] + counts['sent']} 条，已同步 {counts['applied']} 条，"
                    f"失败 {counts['failed']} 条；照片待上传 {photos['pending']} 张，"
                    f"未被接收 {photos['failed']} 张")
        waiting = outbox.to_push()
        if waiting:
            context.say("待发送：")
            for item in waiting:
                context.say(f"  {item.source or item.id}" + (f"：上次未成功：{item.last_error}"
                                                              if item.last_error else ""))
        failed = outbox.items(("failed",))
        if failed:
            context.say("失败（修改清单后重新运行 push-defects 可再次提交）：")
            for item in failed:
                context.say(f"  {item.source or item.id}：{describe_server_error(item.error)}")
        _print_photo_problems(context, outbox)
    return 0


def _print_photo_problems(context: _Context, outbox) -> None:
    lines = []
    for item in outbox.items(("pending", "sent", "applied")):
        for sha in item.photos:
            photo = outbox.photo(sha)
            if photo.state != "held":
                reason = photo.last_error or "待上传"
                lines.append(f"  {item.source or item.id}：{Path(photo.path).name}：{reason}")
    if lines:
        context.say("照片尚未到达服务器：")
        for line in dict.fromkeys(lines):
            context.say(line)


def _retry(context: _Context, args) -> int:
    saved = context.credentials(args.server)
    client = context.client(saved)
    with context.outbox(saved["server"]) as outbox:
        waiting_before = {item.id for item in outbox.to_push()}
        report = client.sync(outbox)
        newly_failed = [item for item in outbox.items(("failed",)) if item.id in waiting_before]
        left, photos_left = len(outbox.to_push()), len(outbox.photos_waiting())
        context.say(f"已同步 {report.applied + report.already_applied} 条"
                    f"（其中重复提交 {report.already_applied} 条），失败 {report.failed} 条，"
                    f"上传照片 {report.photos_uploaded} 张，照片未被接收 {report.photos_failed} 张；"
                    f"仍待发送 {left} 条、照片 {photos_left} 张。")
        for item in newly_failed:
            context.say(f"  失败：{item.source or item.id}：{describe_server_error(item.error)}")
        _print_stop(context, report, saved)
    done = not left and not photos_left and not newly_failed and not report.photos_failed
    return 0 if done else 1
