"""Pushing a defects file with its photos folder: read → queue in the outbox → sync → per-row outcome.

Safe to run again after any failure: rows keep their operation ids, rows already confirmed are not
sent again (and need no building lookup), and photos the server holds are never uploaded twice.
"""
from dataclasses import dataclass, field
from pathlib import Path

from sync.client import SyncReport
from sync.defects_file import (DefectRow, RowProblem, canonical_number, operation_id, photo_paths,
                               read_defects, row_digest, same_text, split_label,
                               to_operation)
from sync.photo_files import describe_photo

DONE, DONE_BEFORE, FAILED, WAITING = "applied", "already_applied", "failed", "waiting"


@dataclass
class RowOutcome:
    row_number: int
    key: str | None = None
    building: str | None = None
    status: str = FAILED            # applied | already_applied | failed | waiting
    reasons: list = field(default_factory=list)
    photo_notes: list = field(default_factory=list)  # photos the server does not hold yet, and why
    note: str | None = None

    @property
    def complete(self) -> bool:
        return self.status in (DONE, DONE_BEFORE) and not self.photo_notes


@dataclass
class PushOutcome:
    path: Path
    header_row: int
    unused_headers: list
    rows: list
    report: SyncReport | None = None

    @property
    def complete(self) -> bool:
        return all(row.complete for row in self.rows)


class BuildingResolver:
    """Finds building ids in the user's scope through GET /api/buildings, once per search per run."""

    def __init__(self, client):
        self.client = client
        self._searches: dict[str, list[dict]] = {}

    def resolve(self, ref) -> int:
        """The building's id; ValueError (with a message for people) when none or several match."""
        if ref.building_id is not None:
            return ref.building_id
        if ref.code:
            found = [b for b in self._search(ref.code) if same_text(b.get("code"), ref.code)]
        elif ref.estate and ref.number:
            found = self._in_estate(ref.estate, ref.number)
        else:
            found = [b for b in self._search(ref.label) if same_text(b.get("label"), ref.label)]
            parts = split_label(ref.label)
            if not found and parts:
                found = self._in_estate(*parts)
        if len(found) == 1:
            return found[0]["id"]
        if not found:
            raise ValueError(f"找不到楼栋“{ref}”（不在您负责的范围内，或小区名、楼号、编码有误）")
        labels = "、".join(b["label"] for b in found)
        raise ValueError(f"楼栋“{ref}”对应多栋楼（{labels}），请改用楼栋编码或楼栋ID")

    def _in_estate(self, estate: str, number: str) -> list[dict]:
        return [b for b in self._search(estate) if same_text(b.get("estate"), estate)
                and canonical_number(b["number"]) == canonical_number(number)]

    def _search(self, text: str) -> list[dict]:
        text = text.strip()[:60]
        if text not in self._searches:
            self._searches[text] = self.client.buildings(text)
        return self._searches[text]


def push_defects(path, photos_dir, *, client, outbox, scope: str, indicators,
                 sheet: str | None = None) -> PushOutcome:
    """Queue every valid row of the file, sync the outbox, and say what became of each row.

    Raises DefectsFileError when the file as a whole cannot be read; ServerUnreachable or
    ServerRefused (e.g. login expired) when a building lookup fails — rows queued so far stay queued.
    """
    parsed = read_defects(path, indicators, sheet=sheet)
    resolver = BuildingResolver(client)
    outcomes, queued = [], []  # queued: (outcome, op id, {sha: photo name}, confirmed before)
    first_row_of_id: dict[str, int] = {}
    for row in sorted(parsed.rows + parsed.problems, key=lambda r: r.row_number):
        if isinstance(row, RowProblem):
            outcomes.append(RowOutcome(row.row_number, reasons=row.reasons))
            continue
        outcome = RowOutcome(row.row_number, key=row.key, building=str(row.building))
        outcomes.append(outcome)
        entry = _queue_row(row, Path(photos_dir), parsed.path, outbox=outbox, scope=scope,
                           resolver=resolver, outcome=outcome)
        if entry is None:
            continue
        op_id = entry[0]
        if op_id in first_row_of_id:
            outcome.note = f"与第 {first_row_of_id[op_id]} 行内容完全相同，按同一条问题处理"
        first_row_of_id.setdefault(op_id, row.row_number)
        queued.append((outcome, *entry))
    report = client.sync(outbox)
    for outcome, op_id, names, confirmed_before in queued:
        _describe(outcome, outbox.get(op_id), names, confirmed_before, outbox, report)
    return PushOutcome(parsed.path, parsed.header_row, parsed.unused_headers, outcomes, report)


def _queue_row(row: DefectRow, photos_dir: Path, file_path: Path, *, outbox, scope, resolver,
               outcome):
    """Queue the row: (op id, {sha: photo name}, confirmed before), or None if it cannot be."""
    paths, problems = photo_paths(row, photos_dir)
    if problems:
        outcome.reasons = problems
        return None
    photos = [describe_photo(p) for p in paths]
    hashes = list(dict.fromkeys(p.sha256 for p in photos))
    op_id, digest = operation_id(scope, row), row_digest(row, hashes)
    existing = outbox.get(op_id)
    source = f"{file_path.name} 第 {row.row_number} 行"
    if existing is not None and existing.digest == digest:
        operation = existing.operation  # unchanged row: no need to look the building up again
    else:
        try:
            building_id = resolver.resolve(row.building)
        except ValueError as problem:
            outcome.reasons = [str(problem)]
            return None
        operation = to_operation(op_id, row, building_id, hashes)
    added = outbox.add(operation, photos=photos, source=source, digest=digest)
    if added.outcome == "kept":
        outcome.note = "此行在上次提交后有改动，服务器上保留的是改动前的内容"
    names = {p.sha256: p.path.name for p in photos}
    return op_id, names, existing is not None and existing.state == "applied"


def _describe(outcome: RowOutcome, item, names: dict, confirmed_before: bool, outbox,
              report: SyncReport) -> None:
    if item.state == "applied":
        repeated = confirmed_before or item.server_status == "already_applied"
        outcome.status = DONE_BEFORE if repeated else DONE
    elif item.state == "failed":
        outcome.status, outcome.reasons = FAILED, [describe_server_error(item.error)]
    else:
        outcome.status = WAITING
        outcome.reasons = [item.last_error or report.stopped or "尚未发送"]
    for sha in item.photos:
        photo = outbox.photo(sha)
        if photo.state == "failed":
            outcome.photo_notes.append(f"{names.get(sha, photo.path)}：{photo.last_error}")
        elif photo.state == "pending" and item.state != "failed":
            outcome.photo_notes.append(f"{names.get(sha, photo.path)}：待上传"
                                       + (f"（{photo.last_error}）" if photo.last_error else ""))


FIELD_LABELS = {"building_id": "楼栋", "indicator": "指标", "check_item": "检查项", "unit": "单元",
                "floor": "楼层", "location_detail": "位置", "description": "问题描述",
                "photos": "照片", "captured_at": "发现时间", "question_id": "检查项"}


def describe_server_error(error: dict | None) -> str:
    """The server's message, with the fields it names, for people."""
    error = error or {}
    message = error.get("message") or "服务器拒绝了此条记录"
    details = error.get("details") or {}
    if details.get("differing_fields"):
        labels = "、".join(FIELD_LABELS.get(f, f) for f in details["differing_fields"])
        message += f"（与此前提交的内容不同：{labels}）"
    for name, problems in (details.get("fields") or {}).items():
        text = "；".join(problems) if isinstance(problems, list) else str(problems)
        message += f"；{FIELD_LABELS.get(name, name)}：{text}"
    return message
