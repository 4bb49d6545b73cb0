// 上报整改: the day it was fixed, what was done, and after-photos of the site. Saved at once as an
// outbox item (`rectification.report`, sync/PROTOCOL.md) with its photos, like a survey.
import { h, clear } from '../dom.js';
import { all, get, put, remove } from '../db.js';
import { awaitsRectification } from '../lifecycle.js';
import { enqueue, newId } from '../outbox.js';
import { photoField } from '../photo-field.js';
import { chinaToday, formValues, rectificationDraft, rectificationDraftKey, rectificationState, reportProblem, reportRefusal,
  takenBefore } from '../rectification.js';

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
  saveFailed: '草稿保存失败：手机存储可能已满，请清理手机空间',
  enqueueFailed: '保存上报失败：手机存储可能已满，请清理手机空间后再点“保存上报”。填写的内容还在。',
  busy: '照片正在处理，请稍候再保存…',
  redo: '重新上报：已带入上次被拒收的内容，请按拒收原因修改后保存。',
  early: '拍摄早于问题发现，请核实',
  earlyConfirm: (n) => `有 ${n} 张照片的拍摄时间早于问题发现时间，可能不是整改后拍摄的（如微信转发的问题照片）。确认都是整改后的现场照片吗？`,
  earlyYes: '确认是整改后照片，保存上报',
};

export async function render(root, { findingUuid, from }, { sync }) {
  const key = rectificationDraftKey(findingUuid);
  const [finding, items, draft] = await Promise.all([get('findings', findingUuid), all('outbox'), get('drafts', key)]);
  const findingPage = from === 'todo' ? `#/todo/finding/${findingUuid}` : `#/finding/${findingUuid}`;
  const back = h('a', { class: 'back', href: findingPage, 'aria-label': STRINGS.back }, '‹');
  if (!finding) {
    clear(root, h('div', { class: 'screen-head' }, back), h('p', { class: 'empty' }, STRINGS.missing));
    return;
  }
  const building = await get('buildings', finding.building_id);
  const head = h('div', { class: 'screen-head' }, back, h('div', { class: 'grow' },
    h('h1', {}, STRINGS.title), h('p', { class: 'muted' }, `${building?.label || ''} · ${finding.check_item}`)));
  const current = rectificationState(finding, items);
  const redo = current?.key === 'failed' && current.redo ? current.item : null; // 重新上报 of a refused report
  if (!awaitsRectification(finding.status) || (current && !redo)) {
    if (current && draft) await remove('drafts', key); // reported meanwhile (e.g. from another tab)
    clear(root, head, h('p', { class: 'card', id: 'rectify-closed' }, STRINGS.notOpen(current ? current.label : finding.status_label)));
    return;
  }

  const route = location.hash;
  const opened = chinaToday(); // the day's limit is checked again when saving (the form may stay open past midnight)
  const wanted = draft?.photos || redo?.operation.photos || [];
  const stored = new Set((await Promise.all(wanted.map((sha) => get('photos', sha)))).filter(Boolean).map((p) => p.sha));
  const start = formValues(draft, opened, stored, redo?.operation);
  const day = h('input', { type: 'date', name: 'rectified_on', value: start.rectified_on, max: opened, required: true,
    oninput: () => changed(), onchange: () => changed() }); // iOS date pickers may fire only change
  const note = h('textarea', { name: 'note', maxlength: 2000, placeholder: STRINGS.notePlaceholder, oninput: () => changed() });
  note.value = start.note;
  let photos = start.photos;
  const problem = h('p', { class: 'form-error', hidden: true, role: 'alert' });
  const busyLine = h('p', { class: 'muted', id: 'photos-busy', hidden: true, role: 'status' }, STRINGS.busy);
  const confirmBox = h('div', { class: 'confirm', id: 'confirm-early', hidden: true, role: 'alertdialog' });
  const savedLine = h('p', { class: 'saved', id: 'draft-saved', role: 'status' }, draft ? STRINGS.restored : null);
  const early = (photo) => (takenBefore(photo, finding) ? STRINGS.early : null);
  const photoInput = photoField({ id: 'rectification_photos', max_count: 9 }, photos, (value) => {
    photos = value || [];
    problem.hidden = true;
    confirmBox.hidden = true;
    changed();
  }, { warn: early, onBusy: (busy) => {
    busyLine.hidden = !busy;
    button.disabled = busy || sent;
  } });

  // The draft is saved on every change, in order (the last write wins), and goes with the report.
  let saving = Promise.resolve();
  let sent = false;
  function changed() {
    if (sent) return;
    const snapshot = rectificationDraft(finding, { rectified_on: day.value, note: note.value, photos });
    saving = saving.then(() => put('drafts', snapshot)).then(() => {
      savedLine.textContent = STRINGS.saved(new Date().toLocaleTimeString('zh-CN', { hour12: false }));
    }, (error) => {
      console.warn(error);
      savedLine.textContent = STRINGS.saveFailed;
    });
  }
  const show = (message) => { problem.textContent = message; problem.hidden = false; };
  const evidence = new Set(finding.photos || []);

  const save = async (confirmed = false) => {
    if (photoInput.busy) { busyLine.hidden = false; return; }
    const today = chinaToday(); // now, not when the form opened
    day.max = today;
    const wrong = reportProblem({ rectified_on: day.value, photos }, evidence, today);
    if (wrong) return show(STRINGS[wrong]);
    if (!confirmed) {
      const taken = (await Promise.all(photos.map((sha) => get('photos', sha)))).filter((p) => takenBefore(p, finding));
      if (taken.length) {
        clear(confirmBox, h('p', {}, STRINGS.earlyConfirm(taken.length)),
          h('button', { type: 'button', class: 'wide', id: 'confirm-early-save', onclick: () => save(true) }, STRINGS.earlyYes));
        confirmBox.hidden = false;
        confirmBox.scrollIntoView({ block: 'nearest' });
        return;
      }
    }
    confirmBox.hidden = true;
    problem.hidden = true;
    button.disabled = true;
    sent = true;
    await saving;
    const operation = { op: 'rectification.report', id: newId(), finding: finding.uuid,
      note: note.value.trim() || null, photos: [...photos], rectified_on: day.value };
    try {
      await enqueue(operation, { title: STRINGS.outboxTitle(building?.label || '', finding.check_item),
        buildingId: finding.building_id, photos: [...photos] }, (stores, queued) => {
        stores.drafts.delete(key);
        // 重新上报: the refused report is retired with the new one (kept, never sent again).
        for (const old of queued) {
          if (old.operation?.op === 'rectification.report' && old.operation.finding === finding.uuid && old.state === 'failed' && !old.pushed) {
            stores.outbox.put({ ...old, state: 'superseded', note: null, superseded_by: operation.id });
          }
        }
      }, (queued, stored) => reportRefusal(stored || finding, queued));
    } catch (error) {
      console.warn(error);
      sent = false;
      button.disabled = photoInput.busy;
      show(error.refused ? error.message : STRINGS.enqueueFailed);
      changed(); // keep the draft as it stands
      return;
    }
    if (location.hash === route) location.hash = findingPage; // unless the user went elsewhere meanwhile
    sync();
  };
  const button = h('button', { type: 'button', class: 'primary wide', id: 'save-rectification', onclick: () => save() }, STRINGS.save);

  clear(root, head,
    redo ? h('div', { class: 'card', id: 'redo-note' }, h('p', {}, STRINGS.redo), redo.error ? h('p', { class: 'reason' }, redo.error) : null) : null,
    finding.deadline ? h('p', { class: 'muted' }, STRINGS.deadline(finding.deadline)) : null,
    h('div', { class: 'section', id: 'rectification-form' },
      h('label', { class: 'field' }, h('span', {}, STRINGS.day), day),
      h('label', { class: 'field' }, h('span', {}, STRINGS.note), note),
      h('div', { class: 'question', dataset: { question: 'rectification_photos' } },
        h('div', { class: 'label required' }, STRINGS.photos), h('p', { class: 'hint' }, STRINGS.photosHint), photoInput)),
    h('div', { class: 'summary' }, savedLine, busyLine, problem, confirmBox, button));
}
