// A survey this building already has, read-only: what the phone holds of it. The phone's own
// submissions keep their answers in the outbox (items stay after the server confirms them);
// a survey made on another device arrives by pull without answers — then the server is asked
// when online, and the screen says plainly where the answers come from.
import { api } from './api.js';
import { h } from './dom.js';
import { all } from './db.js';
import { relevance } from './formlogic.js';
import { STATE_LABELS } from './outbox.js';
import { photoGallery } from './photo-field.js';

const STRINGS = {
  heading: '已提交的调查（只读）',
  mine: (state) => `本机提交 · ${state}`,
  otherDevice: '您在其他设备上提交了这份调查',
  otherPerson: (name) => `${name} 提交了这份调查`,
  fromServer: '以下答案取自服务器。',
  noAnswers: '本机没有这份调查的答案明细（在其他设备上提交）。联网后打开本页可查看。',
  unreachable: '本机没有这份调查的答案明细，暂时无法从服务器读取，请稍后再试。',
  when: (t) => `填写时间 ${t}`,
  correct: '更正（提交一份新的调查）',
  correctHint: '更正将以当前答案为起点新填一份，提交后作为一次新的调查记录，原记录保留。',
  yes: '是', no: '否',
  floor: (n) => `${n}层`,
  photosHere: (n) => `照片 ${n} 张`,
  photosMissing: (n) => `${n} 张照片不在本手机上${navigator.onLine ? '，服务器也暂时没有' : '（联网后可查看）'}`,
  notAsked: (n) => `另有 ${n} 项按规则未适用`,
  counts: (yes) => (yes ? '本楼计入该指标' : '本楼不计入该指标'),
};
const USABLE = (item) => item.operation.op === 'submission.create' && item.state !== 'superseded';

// The newest survey of this building with this form the phone knows of, or null:
// {answers|null, source: 'phone'|'server'|'none', item?, observation?}.
export async function latestSurvey(buildingId, formId) {
  const [items, observations] = await Promise.all([all('outbox', 'building_id', buildingId),
    all('observations', 'building_id', buildingId)]);
  const mine = items.filter((i) => USABLE(i) && i.operation.form_id === formId)
    .sort((a, b) => b.created_at.localeCompare(a.created_at))[0];
  const known = new Set(items.map((i) => i.id));
  const other = observations.filter((o) => o.form_id === formId && !known.has(o.uuid))
    .sort((a, b) => (b.received_at || '').localeCompare(a.received_at || ''))[0];
  if (mine && (!other || (other.received_at || '') <= mine.created_at)) {
    return { answers: mine.operation.answers, source: 'phone', item: mine, when: mine.operation.captured_at };
  }
  if (!other) return null;
  return { answers: null, source: 'none', observation: other, when: other.captured_at || other.received_at };
}

// Fills in the answers of a survey made elsewhere from the server, when it can be reached.
export async function withServerAnswers(survey) {
  if (survey.answers || !navigator.onLine) return survey;
  try {
    const { data } = await api.submission(survey.observation.uuid);
    return { ...survey, answers: data.answers, source: 'server' };
  } catch {
    return { ...survey, unreachable: true };
  }
}

export async function surveyView(form, facts, survey, session, onCorrect, rules = null) {
  const who = survey.source === 'phone' ? STRINGS.mine(STATE_LABELS[survey.item.state])
    : survey.observation.author_id === session?.user?.id ? STRINGS.otherDevice
    : STRINGS.otherPerson(survey.observation.author);
  const lines = [h('p', { class: 'muted' }, who), survey.when ? h('p', { class: 'muted' }, STRINGS.when(chinaTime(survey.when))) : null];
  if (survey.source === 'server') lines.push(h('p', { class: 'notice' }, STRINGS.fromServer));
  if (!survey.answers) lines.push(h('p', { class: 'notice warn', id: 'no-answers' }, survey.unreachable ? STRINGS.unreachable : STRINGS.noAnswers));
  if (survey.observation && typeof survey.observation.counts === 'boolean') lines.push(h('p', {}, STRINGS.counts(survey.observation.counts)));
  const sections = survey.answers ? await answerSections(form, facts, survey.answers, rules) : [];
  return h('div', { id: 'submitted-survey', dataset: { source: survey.source } },
    h('div', { class: 'card' }, h('h2', {}, STRINGS.heading), lines),
    sections,
    h('div', { class: 'summary' }, h('p', { class: 'muted' }, STRINGS.correctHint),
      h('button', { type: 'button', class: 'primary wide', id: 'correct-survey', onclick: () => onCorrect(survey.answers || {}) }, STRINGS.correct)));
}

// `rules`: the round's context (forms.js roundContext), as the form screen evaluates the answers.
async function answerSections(form, facts, answers, rules) {
  const relevant = relevance(form, answers, facts, rules);
  const out = [];
  for (const section of form.sections) {
    const asked = section.questions.filter((q) => relevant.asked.has(q.id));
    if (!asked.length) continue;
    const rows = [];
    for (const question of asked) {
      const value = relevant.answers[question.id];
      if (value === undefined || value === null || value === '' || (Array.isArray(value) && !value.length)) continue;
      rows.push(h('dt', {}, question.label), h('dd', { dataset: { answer: question.id } }, await answerNode(question, value)));
    }
    const skipped = section.questions.length - asked.length;
    out.push(h('section', { class: 'section', dataset: { section: section.id } }, h('h2', {}, section.title),
      h('dl', { class: 'answers' }, rows), skipped ? h('p', { class: 'muted' }, STRINGS.notAsked(skipped)) : null));
  }
  return out;
}

async function answerNode(question, value) {
  if (question.type === 'photos') {
    const gallery = await photoGallery(value);
    return h('div', {}, h('span', {}, STRINGS.photosHere(value.length)), gallery.el,
      gallery.missing ? h('p', { class: 'muted' }, STRINGS.photosMissing(gallery.missing)) : null);
  }
  return answerText(question, value);
}

export function answerText(question, value) {
  if (question.type === 'yes_no') return value === true ? STRINGS.yes : value === false ? STRINGS.no : String(value);
  if (question.type === 'single_choice' || question.type === 'multiple_choice') {
    const labels = new Map((question.choices || []).map((c) => [c.value, c.label]));
    return [].concat(value).map((v) => labels.get(v) || String(v)).join('、');
  }
  if (question.type === 'location' && value && typeof value === 'object') {
    return [value.unit, value.floor != null ? STRINGS.floor(value.floor) : null, value.detail].filter((p) => p != null && p !== '').join(' · ');
  }
  return String(value);
}

function chinaTime(iso) {
  const moment = new Date(iso);
  if (Number.isNaN(moment.getTime())) return iso;
  return moment.toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
}
