// Rectification (整改) as the phone sees it: which findings wait for one, how late they are by
// the China calendar (Asia/Shanghai, whatever zone the phone is set to), and what this phone has
// reported but the server has not yet answered. Plain functions: tests/js/rectification.test.mjs.
import { RECTIFIED, awaitsRectification, statusLabel } from './lifecycle.js';

const STRINGS = {
  queued: '已整改（待上传）',
  failed: '已整改（上传失败）',
  awaiting: '已整改（待销项）',
  pending: '该问题已有整改上报在等待上传，不能重复上报。',
  confirmed: '该问题的整改上报已被服务器接收，不能重复上报。',
};
const DAY_MS = 24 * 60 * 60 * 1000;
const CHINA_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });

// Today's date in China as YYYY-MM-DD.
export function chinaToday(now = new Date()) {
  const parts = Object.fromEntries(CHINA_DAY.formatToParts(now).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

const dayNumber = (iso) => Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / DAY_MS;

// Whole days past the deadline (0 on the deadline day itself or before, or without one).
export function daysOverdue(deadline, today) {
  if (!deadline) return 0;
  return Math.max(0, dayNumber(today) - dayNumber(deadline));
}

// This phone's rectification reports for a finding, newest first (one replaced by a 重新上报,
// `superseded`, no longer counts).
export function reportsFor(findingUuid, outboxItems) {
  return outboxItems.filter((i) => i.operation?.op === 'rectification.report' && i.operation.finding === findingUuid
    && i.state !== 'superseded')
    .sort((a, b) => b.created_at.localeCompare(a.created_at));
}

// What to show for a finding's rectification: {key, label, item, redo} or null when nothing is
// reported. A report not yet confirmed by the server wins over the pulled status; once confirmed,
// the status tells (已整改 until a reviewer verifies it: written with the confirmation, outbox.js,
// and by every pull). A confirmed report outranks a later failed one while the finding is not open
// again (that one was refused because of it). `redo`: the server refused the report itself (it
// never took it), so it can be reported anew (重新上报).
export function rectificationState(finding, outboxItems) {
  const reports = reportsFor(finding.uuid, outboxItems);
  const [latest] = reports;
  const confirmed = reports.find((i) => i.state === 'done');
  const outranked = confirmed && confirmed !== latest
    && (!awaitsRectification(finding.status) || latest.refusal === 'finding.not_editable');
  if (latest && latest.state === 'failed' && !outranked) {
    return { key: 'failed', label: STRINGS.failed, item: latest, redo: !latest.pushed && awaitsRectification(finding.status) };
  }
  if (latest && latest.state !== 'done' && latest.state !== 'failed') return { key: 'queued', label: STRINGS.queued, item: latest };
  if (finding.status === RECTIFIED || (outranked && awaitsRectification(finding.status))) {
    return { key: 'awaiting', label: STRINGS.awaiting, item: confirmed || latest || null };
  }
  return null; // a report sent back (整改不合格) is 整改中 again: it can be reported anew
}

// Why a new report for `finding` must not be queued (a Chinese message), or null: checked in the
// same transaction that queues it. A failed report the server refused may be redone.
export function reportRefusal(finding, outboxItems) {
  const reports = reportsFor(finding.uuid, outboxItems);
  if (reports.some((i) => i.state !== 'done' && !(i.state === 'failed' && !i.pushed))) return STRINGS.pending;
  if (!awaitsRectification(finding.status)) return STRINGS.confirmed;
  const state = rectificationState(finding, outboxItems);
  if (state && !(state.key === 'failed' && state.redo)) return STRINGS.confirmed;
  return null;
}

// The finding as it stands once the server confirmed `item` (a rectification.report, applied or
// already applied): the status its answer carries (else 已整改), or null when there is nothing
// to write (not on the phone, or a pull has already moved it on).
export function confirmedFinding(finding, item) {
  if (!finding || !awaitsRectification(finding.status)) return null;
  const status = item.result?.finding?.status || RECTIFIED;
  if (awaitsRectification(status)) return null;
  return { ...finding, status, status_label: statusLabel(status),
    rectified_on: item.operation.rectified_on ?? finding.rectified_on ?? null };
}

// An after-photo taken (EXIF, else the phone's clock) before the problem was found is probably
// the evidence again (e.g. forwarded through WeChat): warned about, not refused (clocks err).
export function takenBefore(photo, finding) {
  const found = Date.parse(finding.captured_at || finding.created_at || '');
  const taken = Date.parse(photo?.captured_at || '');
  return Number.isFinite(found) && Number.isFinite(taken) && taken < found;
}

// The form's checks at the moment of saving (`today`: the China date then): a message key or null.
export function reportProblem({ rectified_on, photos }, evidence, today) {
  if (!rectified_on) return 'noDay';
  if (rectified_on > today) return 'future';
  if (!photos.length) return 'noPhotos';
  if (photos.some((sha) => evidence.has(sha))) return 'reused';
  return null;
}

// Findings that wait for a rectification, the latest deadline last and those without one at the end.
export function toRectify(findings, outboxItems, today) {
  return findings.filter((f) => awaitsRectification(f.status))
    .map((f) => ({ finding: f, overdue: daysOverdue(f.deadline, today), state: rectificationState(f, outboxItems) }))
    .sort((a, b) => (a.state ? 1 : 0) - (b.state ? 1 : 0) || (a.finding.deadline || '9999').localeCompare(b.finding.deadline || '9999'));
}

// The rectification form's draft (drafts store, saved on every change like a survey's): one per
// finding, so two findings' drafts never mix; no form_id, so it never marks a survey as drafted.
export const rectificationDraftKey = (findingUuid) => `rectify:${findingUuid}`;

export function rectificationDraft(finding, { rectified_on, note, photos }, now = new Date()) {
  return { key: rectificationDraftKey(finding.uuid), kind: 'rectification', finding: finding.uuid,
    building_id: finding.building_id, rectified_on, note, photos: [...(photos || [])], updated_at: now.toISOString() };
}

// What the form opens with: the draft's values (a cleared date stays cleared), else the failed
// report being redone, else today and nothing; only photos this phone still holds (`stored`: a
// Set of hashes) come back.
export function formValues(draft, today, stored, redo = null) {
  const from = draft || (redo && { rectified_on: redo.rectified_on, note: redo.note, photos: redo.photos });
  if (!from) return { rectified_on: today, note: '', photos: [] };
  return { rectified_on: from.rectified_on ?? today, note: from.note || '',
    photos: (from.photos || []).filter((sha) => stored.has(sha)) };
}

// What was reported, for the finding screen: this phone's report when it has one, else what the
// pull says (a report from another phone: its date only).
export function reportedContent(finding, state) {
  const op = state?.item?.operation;
  if (op) return { rectified_on: op.rectified_on || null, note: op.note || null, photos: op.photos || [], local: true };
  return { rectified_on: finding.rectified_on || null, note: null, photos: [], local: false };
}
