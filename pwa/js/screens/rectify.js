// 上报整改: the day it was fixed, what was done, and after-photos of the site. Saved at once as an
// outbox item (`rectification.report`, sync/PROTOCOL.md) with its photos, like a survey.
import { h, clear } from '../dom.js';
import { all, get, put, remove } from '../db.js';
import { enqueue, newId } from '../outbox.js';
import { photoField } from '../photo-field.js';
import { RECTIFIABLE, chinaToday, formValues, rectificationDraft, rectificationDraftKey, rectificationState } from '../rectification.js';

const STRINGS = {
  back: '返回问题',
  title: '上报整改',
  missing: '手机上没有这条问题记录，请联网同步。',
  notOpen: (label) => `该问题状态为“${label}”，不需要上报整改。`,
  deadline: (d) => `整改时限：${d}`,
  day: '整改完成日期',
  note: '整改说明',
  notePlaceholder: '如：已将橡胶软管更换为金属波纹管',
  photos: '整改后照片',
  photosHint: '请拍摄整改后的现场，至少 1 张，不能使用问题照片。',
  save: '保存上报',
  noDay: '请填写整改完成日期',
  future: '整改完成日期不能晚于今天',
  noPhotos: '请至少拍摄 1 张整改后照片',
  reused: '整改后照片不能与问题照片相同，请拍摄整改后的现场',
  outboxTitle: (building, item) => `${building} · ${item}（整改上报）`,
  saved: (t) => `草稿已自动保存 ${t}`,
  restored: '已恢复上次未保存的草稿',
  saveFailed: (m) => `草稿保存失败：${m}（手机存储可能已满）`,
};

export async function render(root, { findingUuid }, { sync }) {
  const key = rectificationDraftKey(findingUuid);
  const [finding, items, draft] = await Promise.all([get('findings', findingUuid), all('outbox'), get('drafts', key)]);
  const back = h('a', { class: 'back', href: `#/finding/${findingUuid}`, 'aria-label': STRINGS.back }, '‹');
  if (!finding) {
    clear(root, h('div', { class: 'screen-head' }, back), h('p', { class: 'empty' }, STRINGS.missing));
    return;
  }
  const building = await get('buildings', finding.building_id);
  const head = h('div', { class: 'screen-head' }, back, h('div', { class: 'grow' },
    h('h1', {}, STRINGS.title), h('p', { class: 'muted' }, `${building?.label || ''} · ${finding.check_item}`)));
  if (!RECTIFIABLE.has(finding.status) || rectificationState(finding, items)) {
    const state = rectificationState(finding, items);
    if (state && draft) await remove('drafts', key); // reported meanwhile (e.g. from another tab)
    clear(root, head, h('p', { class: 'card' }, STRINGS.notOpen(state ? state.label : finding.status_label)));
    return;
  }

  const today = chinaToday();
  const stored = new Set((await Promise.all((draft?.photos || []).map((sha) => get('photos', sha)))).filter(Boolean).map((p) => p.sha));
  const start = formValues(draft, today, stored);
  const day = h('input', { type: 'date', name: 'rectified_on', value: start.rectified_on, max: today, required: true,
    oninput: () => changed(), onchange: () => changed() }); // iOS date pickers may fire only change
  const note = h('textarea', { name: 'note', maxlength: 2000, placeholder: STRINGS.notePlaceholder, oninput: () => changed() });
  note.value = start.note;
  let photos = start.photos;
  const problem = h('p', { class: 'form-error', hidden: true, role: 'alert' });
  const savedLine = h('p', { class: 'saved', id: 'draft-saved', role: 'status' }, draft ? STRINGS.restored : null);
  const photoInput = photoField({ id: 'rectification_photos', max_count: 9 }, photos, (value) => {
    photos = value || [];
    problem.hidden = true;
    changed();
  });

  // The draft is saved on every change, in order (the last write wins), and goes with the report.
  let saving = Promise.resolve();
  let sent = false;
  function changed() {
    if (sent) return;
    const snapshot = rectificationDraft(finding, { rectified_on: day.value, note: note.value, photos });
    saving = saving.then(() => put('drafts', snapshot)).then(() => {
      savedLine.textContent = STRINGS.saved(new Date().toLocaleTimeString('zh-CN', { hour12: false }));
    }, (error) => {
      savedLine.textContent = STRINGS.saveFailed(error.message || error);
    });
  }
  const show = (message) => { problem.textContent = message; problem.hidden = false; };
  const evidence = new Set(finding.photos || []);

  const save = async () => {
    if (!day.value) return show(STRINGS.noDay);
    if (day.value > today) return show(STRINGS.future);
    if (!photos.length) return show(STRINGS.noPhotos);
    if (photos.some((sha) => evidence.has(sha))) return show(STRINGS.reused);
    button.disabled = true;
    sent = true;
    await saving;
    const operation = { op: 'rectification.report', id: newId(), finding: finding.uuid,
      note: note.value.trim() || null, photos: [...photos], rectified_on: day.value };
    await enqueue(operation, { title: STRINGS.outboxTitle(building?.label || '', finding.check_item),
      buildingId: finding.building_id, photos: [...photos] }, (stores) => stores.drafts.delete(key));
    location.hash = `#/finding/${finding.uuid}`;
    sync();
  };
  const button = h('button', { type: 'button', class: 'primary wide', id: 'save-rectification', onclick: save }, STRINGS.save);

  clear(root, head,
    finding.deadline ? h('p', { class: 'muted' }, STRINGS.deadline(finding.deadline)) : null,
    h('div', { class: 'section', id: 'rectification-form' },
      h('label', { class: 'field' }, h('span', {}, STRINGS.day), day),
      h('label', { class: 'field' }, h('span', {}, STRINGS.note), note),
      h('div', { class: 'question', dataset: { question: 'rectification_photos' } },
        h('div', { class: 'label required' }, STRINGS.photos), h('p', { class: 'hint' }, STRINGS.photosHint), photoInput)),
    h('div', { class: 'summary' }, savedLine, problem, button));
}
