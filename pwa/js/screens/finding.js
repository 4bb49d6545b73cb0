import { h, clear } from '../dom.js';
import { all, get } from '../db.js';
import { awaitsRectification, isEditable } from '../lifecycle.js';
import { toast } from '../feedback.js';
import { enqueue, newId, onOutboxChange } from '../outbox.js';
import { photoField, photoGallery, storedThumbs } from '../photo-field.js';
import { chinaToday, daysOverdue, rectificationDraftKey, rectificationState, reportedContent } from '../rectification.js';

const STRINGS = {
  back: '返回',
  missing: '手机上没有这条问题记录，请联网同步。',
  where: '位置',
  unit: '单元', floor: '楼层', detail: '具体位置', description: '补充说明',
  photos: '补拍照片（替换看不清的照片）',
  photosHint: '重新拍摄看不清的照片后提交更正。原照片暂不能从手机上删除，会和新照片一起交审核员查看。',
  evidence: '问题照片',
  evidenceMissing: (n) => `${n} 张照片不在本手机上${navigator.onLine ? '，服务器上也还没有' : '（联网后可查看服务器上的照片）'}`,
  queuedToast: '已保存到待同步',
  arrived: (total, missing) => `照片 ${total} 张，服务器已收到 ${total - missing} 张`,
  reason: (r) => `审核意见：${r}`,
  submit: '提交更正',
  nothing: '请先修改位置、说明或补充照片',
  badFloor: '楼层应为非零整数（地下一层填 -1）',
  editable: '更正后将重新进入审核。',
  locked: (label) => `该问题状态为“${label}”，不能再修改。`,
  deadline: (d) => `整改时限：${d}`,
  overdue: (n) => `逾期${n}天`,
  rectify: '上报整改',
  resume: '继续上报整改（有草稿）',
  report: '整改上报',
  rectifiedNote: (n) => `整改说明：${n}`,
  notHere: (missing, total) => (missing === total ? '照片不在本手机上' : `其中 ${missing} 张不在本手机上`),
  rectifyHint: '整改完成后，拍摄整改后的现场照片上报，由住建局审核销项。',
  queued: '整改上报已保存在手机上，联网后自动上传。',
  awaiting: '整改已上报，等待住建局审核销项。',
  rectifiedOn: (d) => `整改完成日期：${d}`,
  afterPhotos: (n) => `整改后照片 ${n} 张`,
  refused: '整改上报被服务器拒收（原因见上），可修改后重新上报。',
  redo: '重新上报',
};

// What the screen shows of the finding's rectification: it is drawn again when this changes
// (an upload or refusal from the outbox, a confirmation that wrote the status), and only then.
async function look(findingUuid) {
  const [finding, items] = await Promise.all([get('findings', findingUuid), all('outbox')]);
  const state = finding ? rectificationState(finding, items) : null;
  return JSON.stringify([finding?.status, state?.key, state?.item?.id, state?.item?.state, state?.item?.error, state?.redo]);
}

export async function render(root, params, context) {
  let alive = true;
  let shown = await look(params.findingUuid);
  await paint(root, params, context);
  let checking = Promise.resolve();
  const stop = onOutboxChange(() => {
    checking = checking.then(async () => {
      const now = alive ? await look(params.findingUuid) : shown;
      if (!alive || now === shown) return;
      shown = now;
      const fresh = document.createElement('div');
      await paint(fresh, params, context);
      if (alive) root.replaceChildren(...fresh.childNodes); // not over a screen opened meanwhile
    }).catch((error) => console.warn(error));
  });
  return () => { alive = false; stop(); };
}

async function paint(root, { findingUuid, from }, { sync }) {
  const [finding, items, draft] = await Promise.all([get('findings', findingUuid), all('outbox'), get('drafts', rectificationDraftKey(findingUuid))]);
  // Opened from 待办, back (and after a save) is 待办; from the building, the building.
  const backTo = from === 'todo' || !finding ? '#/todo' : `#/b/${finding.building_id}`;
  const here = from === 'todo' ? `#/todo/finding/${findingUuid}` : `#/finding/${findingUuid}`;
  const back = h('a', { class: 'back', href: backTo, 'aria-label': STRINGS.back }, '‹');
  if (!finding) {
    clear(root, h('div', { class: 'screen-head' }, back), h('p', { class: 'empty' }, STRINGS.missing));
    return;
  }
  const building = await get('buildings', finding.building_id);
  const input = (name, value, attrs = {}) => h('input', { name, value: value ?? '', ...attrs });
  const unit = input('unit', finding.unit, { maxlength: 30 });
  const floor = input('floor', finding.floor, { type: 'number', inputmode: 'numeric', step: '1' });
  const detail = input('location_detail', finding.location_detail, { maxlength: 200 });
  const description = h('textarea', { name: 'description', maxlength: 2000 });
  description.value = finding.description || '';
  let added = [];
  const photos = photoField({ id: 'add_photos', max_count: 9 }, [], (value) => { added = value || []; });
  const problem = h('p', { class: 'form-error', hidden: true, role: 'alert' });
  const editable = isEditable(finding.status);
  const missing = (finding.missing_photos || []).length;
  const rectification = rectificationState(finding, items);
  const canRectify = awaitsRectification(finding.status) && !rectification;
  const overdue = canRectify ? daysOverdue(finding.deadline, chinaToday()) : 0;
  const reported = rectification ? reportedContent(finding, rectification) : null;
  const after = reported?.photos.length ? await storedThumbs(reported.photos) : null;
  const evidence = await photoGallery(finding.photos || []);
  const saveButton = h('button', { type: 'button', class: 'primary wide', id: 'submit-finding', onclick: () => submit() }, STRINGS.submit);

  const submit = async () => {
    const changes = {};
    const text = (el) => el.value.trim() || null;
    if (text(unit) !== (finding.unit ?? null)) changes.unit = text(unit);
    if (text(detail) !== (finding.location_detail ?? null)) changes.location_detail = text(detail);
    if (text(description) !== (finding.description ?? null)) changes.description = text(description);
    const floorValue = floor.value.trim() === '' ? null : Number(floor.value);
    if (floorValue !== null && (!Number.isInteger(floorValue) || floorValue === 0)) return show(STRINGS.badFloor);
    if (floorValue !== (finding.floor ?? null)) changes.floor = floorValue;
    if (added.length) changes.add_photos = added;
    if (!Object.keys(changes).length) return show(STRINGS.nothing);
    const operation = { op: 'finding.update', id: newId(), finding: finding.uuid, changes };
    await enqueue(operation, { title: `${building?.label || ''} · ${finding.check_item}（更正）`,
      buildingId: finding.building_id, photos: added });
    toast(STRINGS.queuedToast, saveButton);
    location.hash = backTo;
    sync();
  };
  const show = (message) => { problem.textContent = message; problem.hidden = false; };

  clear(root,
    h('div', { class: 'screen-head' }, back, h('div', { class: 'grow' },
      h('h1', {}, finding.check_item), h('p', { class: 'muted' }, building?.label || ''))),
    h('div', { class: 'card', id: 'finding-state' },
      rectification ? h('span', { class: `chip rectify-${rectification.key}` }, rectification.label)
        : h('span', { class: 'chip bad' }, finding.status_label),
      overdue ? h('span', { class: 'chip overdue' }, STRINGS.overdue(overdue)) : null,
      finding.deadline ? h('p', {}, STRINGS.deadline(finding.deadline)) : null,
      rectification?.item?.error ? h('p', { class: 'reason' }, rectification.item.error) : null,
      finding.review_reason ? h('p', { class: 'reason' }, STRINGS.reason(finding.review_reason)) : null,
      h('p', { class: 'muted' }, STRINGS.arrived((finding.photos || []).length, missing)),
      h('p', { class: 'muted' }, rectification?.redo ? STRINGS.refused
        : rectification ? STRINGS[rectification.key === 'awaiting' ? 'awaiting' : 'queued']
        : canRectify ? STRINGS.rectifyHint : editable ? STRINGS.editable : STRINGS.locked(finding.status_label))),
    (finding.photos || []).length ? h('div', { class: 'card', id: 'finding-photos' }, h('h2', {}, STRINGS.evidence), evidence.el,
      evidence.missing ? h('p', { class: 'muted' }, STRINGS.evidenceMissing(evidence.missing)) : null) : null,
    reported ? h('div', { class: 'card', id: 'rectification-report' }, h('h2', {}, STRINGS.report),
      reported.rectified_on ? h('p', {}, STRINGS.rectifiedOn(reported.rectified_on)) : null,
      reported.note ? h('p', { class: 'pre' }, STRINGS.rectifiedNote(reported.note)) : null,
      reported.photos.length ? h('p', { class: 'muted' }, STRINGS.afterPhotos(reported.photos.length),
        after.shown < reported.photos.length
          ? ` · ${STRINGS.notHere(reported.photos.length - after.shown, reported.photos.length)}` : null) : null,
      after?.shown ? after.el : null) : null,
    canRectify ? h('a', { class: 'button primary wide', id: 'report-rectification', href: `${here}/rectify` },
      draft ? STRINGS.resume : STRINGS.rectify) : null,
    rectification?.redo ? h('a', { class: 'button primary wide', id: 'redo-rectification', href: `${here}/rectify` },
      draft ? STRINGS.resume : STRINGS.redo) : null,
    editable ? h('div', { class: 'section', id: 'finding-edit' },
      h('div', { class: 'location' },
        h('label', {}, h('small', {}, STRINGS.unit), unit),
        h('label', {}, h('small', {}, STRINGS.floor), floor),
        h('label', { class: 'detail' }, h('small', {}, STRINGS.detail), detail)),
      h('label', { class: 'field' }, h('span', {}, STRINGS.description), description),
      h('div', { class: 'question', dataset: { question: 'add_photos' } }, h('div', { class: 'label' }, STRINGS.photos),
        h('div', { class: 'hint' }, STRINGS.photosHint), photos),
      problem, saveButton) : null);
}
