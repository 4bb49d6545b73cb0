// Rectification (整改) as the phone sees it: which findings wait for one, how late they are by
// the China calendar (Asia/Shanghai, whatever zone the phone is set to), and what this phone has
// reported but the server has not yet answered. Plain functions: tests/js/rectification.test.mjs.
const STRINGS = {
  queued: '已整改（待上传）',
  failed: '已整改（上传失败）',
  awaiting: '已整改（待销项）',
};
export const RECTIFIABLE = new Set(['accepted', 'rectifying']);
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

// This phone's rectification reports for a finding, newest first.
export function reportsFor(findingUuid, outboxItems) {
  return outboxItems.filter((i) => i.operation?.op === 'rectification.report' && i.operation.finding === findingUuid)
    .sort((a, b) => b.created_at.localeCompare(a.created_at));
}

// What to show for a finding's rectification: {key, label} or null when nothing is reported.
// A report not yet confirmed by the server wins over the pulled status; once confirmed, the
// pulled status tells (已整改 until a reviewer verifies it; the pull follows every push).
export function rectificationState(finding, outboxItems) {
  const [latest] = reportsFor(finding.uuid, outboxItems);
  if (latest && latest.state === 'failed') return { key: 'failed', label: STRINGS.failed, item: latest };
  if (latest && latest.state !== 'done') return { key: 'queued', label: STRINGS.queued, item: latest };
  if (finding.status === 'rectified') return { key: 'awaiting', label: STRINGS.awaiting, item: latest || null };
  return null; // a report sent back (整改不合格) is 整改中 again: it can be reported anew
}

// Findings that wait for a rectification, the latest deadline last and those without one at the end.
export function toRectify(findings, outboxItems, today) {
  return findings.filter((f) => RECTIFIABLE.has(f.status))
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

// What the form opens with: the draft's values (a cleared date stays cleared), else today and
// nothing; only photos this phone still holds (`stored`: a Set of hashes) come back.
export function formValues(draft, today, stored) {
  if (!draft) return { rectified_on: today, note: '', photos: [] };
  return { rectified_on: draft.rectified_on ?? today, note: draft.note || '',
    photos: (draft.photos || []).filter((sha) => stored.has(sha)) };
}

// What was reported, for the finding screen: this phone's report when it has one, else what the
// pull says (a report from another phone: its date only).
export function reportedContent(finding, state) {
  const op = state?.item?.operation;
  if (op) return { rectified_on: op.rectified_on || null, note: op.note || null, photos: op.photos || [], local: true };
  return { rectified_on: finding.rectified_on || null, note: null, photos: [], local: false };
}
