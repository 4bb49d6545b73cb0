import { h, clear } from '../dom.js';
import { get, put } from '../db.js';
import { createField } from '../fields.js';
import { applies, counts, deriveDefects, isRequired, questionProblems, relevance, validateAnswers } from '../formlogic.js';
import { toast } from '../feedback.js';
import { formById, roundContext } from '../forms.js';
import { enqueue, newId } from '../outbox.js';
import { isoWithZone } from '../photos.js';
import { draftKey } from '../progress.js';
import { factsOf } from '../pull.js';
import { latestSurvey, surveyView, withServerAnswers } from '../submitted.js';

const STRINGS = {
  back: '返回楼栋',
  missing: '找不到这张调查表或这栋楼，请联网同步后再试。',
  notApplicable: '本表不适用于这栋楼（按楼栋信息判断），无需填写。',
  defects: (n) => (n ? `已发现问题 ${n} 项` : '暂未发现问题'),
  counts: (yes) => (yes ? '本楼计入该指标' : '本楼暂不计入该指标'),
  saved: (t) => `草稿已自动保存 ${t}`,
  saveFailed: (m) => `草稿保存失败：${m}（手机存储可能已满）`,
  submit: '保存并提交',
  fix: (n) => `还有 ${n} 处需要填写或修改`,
  submittedBefore: '本表已提交过：这次提交将作为一次新的调查记录，原记录保留。',
  queued: '已保存到待同步，联网后自动上传',
  title: (form) => `指标${form.indicator} · ${form.title}`,
};

export async function render(root, params, context) {
  const { buildingId, formId } = params;
  const { sync, session } = context;
  const [building, form, rules] = await Promise.all([get('buildings', buildingId), formById(formId), roundContext()]);
  const back = h('a', { class: 'back', href: `#/b/${buildingId}`, 'aria-label': STRINGS.back }, '‹');
  if (!building || !form) {
    clear(root, h('div', { class: 'screen-head' }, back), h('p', { class: 'empty' }, STRINGS.missing));
    return;
  }
  const facts = factsOf(building);
  const key = draftKey(buildingId, formId);
  const draft = await get('drafts', key);
  const answers = { ...(draft?.answers || {}) };
  const touched = new Set(Object.keys(answers));
  let showAll = false;
  const head = h('div', { class: 'screen-head' }, back, h('div', { class: 'grow' },
    h('h1', {}, STRINGS.title(form)), h('p', { class: 'muted' }, building.label)));
  if (!applies(form, facts)) {
    clear(root, head, h('p', { class: 'card' }, STRINGS.notApplicable));
    return;
  }
  // Submitted already and no correction begun: the survey as submitted, read-only.
  const previous = await latestSurvey(buildingId, formId);
  if (previous && !draft) {
    const correct = async (submitted) => {
      await put('drafts', { key, building_id: buildingId, form_id: formId, form_version: form.version,
        answers: structuredClone(submitted), updated_at: new Date().toISOString() });
      await render(root, params, context);
    };
    clear(root, head, await surveyView(form, facts, await withServerAnswers(previous), session, correct, rules));
    return;
  }

  const fields = new Map();
  const sections = form.sections.map((section) => {
    const el = h('section', { class: 'section', dataset: { section: section.id } }, h('h2', {}, section.title),
      section.hint ? h('p', { class: 'muted' }, section.hint) : null);
    for (const question of section.questions) {
      const field = createField(question, answers[question.id], (value) => changed(question.id, value));
      fields.set(question.id, { field, question });
      el.append(field.el);
    }
    return { section, el };
  });

  const defectLine = h('span', { id: 'defect-summary' });
  const countLine = h('span', { class: 'muted' });
  const savedLine = h('p', { class: 'saved', id: 'draft-saved', role: 'status' });
  const problemsLine = h('p', { class: 'reason', hidden: true });
  const submit = h('button', { type: 'button', class: 'primary wide', id: 'submit-form', onclick: submitForm }, STRINGS.submit);

  clear(root, head,
    previous ? h('p', { class: 'notice', id: 'correcting' }, STRINGS.submittedBefore) : null,
    sections.map((s) => s.el),
    h('div', { class: 'summary' }, h('p', {}, defectLine, ' · ', countLine), savedLine, problemsLine, submit));
  refresh();

  let saving = Promise.resolve();
  function changed(questionId, value) {
    if (value === undefined) delete answers[questionId];
    else answers[questionId] = value;
    touched.add(questionId);
    refresh();
    const snapshot = { key, building_id: buildingId, form_id: formId, form_version: form.version,
      answers: structuredClone(answers), updated_at: new Date().toISOString() };
    // Saved on every change, in order; the last write always wins.
    saving = saving.then(() => put('drafts', snapshot)).then(() => {
      savedLine.textContent = STRINGS.saved(new Date().toLocaleTimeString('zh-CN', { hour12: false }));
    }, (error) => {
      savedLine.textContent = STRINGS.saveFailed(error.message || error);
    });
  }

  function refresh() {
    const relevant = relevance(form, answers, facts, rules);
    for (const { section, el } of sections) {
      el.hidden = !section.questions.some((q) => relevant.asked.has(q.id));
    }
    const defects = deriveDefects(form, answers, facts, rules);
    const defectIds = new Set(defects.map((d) => d.question_id));
    for (const [id, { field, question }] of fields) {
      const asked = relevant.asked.has(id);
      field.setShown(asked);
      if (!asked) continue;
      field.setRequired(isRequired(question, relevant, facts, rules));
      field.setDefect(defectIds.has(id));
      field.setError(showAll || (touched.has(id) && answers[id] !== undefined)
        ? questionProblems(question, relevant, facts, rules) : []);
    }
    defectLine.textContent = STRINGS.defects(defects.length);
    defectLine.className = defects.length ? 'reason' : 'muted';
    countLine.textContent = STRINGS.counts(counts(form, answers, facts, rules));
  }

  async function submitForm() {
    showAll = true;
    refresh();
    const errors = validateAnswers(form, answers, facts, rules);
    const count = Object.keys(errors).length;
    problemsLine.hidden = !count;
    problemsLine.textContent = STRINGS.fix(count);
    if (count) {
      root.querySelector('.question.invalid')?.scrollIntoView({ behavior: 'smooth', block: 'center' });
      return;
    }
    submit.disabled = true;
    await saving;
    const kept = relevance(form, answers, facts, rules).answers; // answers to questions not asked are dropped
    const photos = form.sections.flatMap((s) => s.questions).filter((q) => q.type === 'photos')
      .flatMap((q) => kept[q.id] || []);
    const operation = { op: 'submission.create', id: newId(), building_id: buildingId, form_id: form.id,
      form_version: form.version, answers: kept, captured_at: isoWithZone(new Date()) };
    await enqueue(operation, { title: `${building.label} · ${STRINGS.title(form)}`, buildingId, photos },
      (stores) => stores.drafts.delete(key));
    toast(STRINGS.queued, submit);
    location.hash = `#/b/${buildingId}`;
    sync();
  }
}
