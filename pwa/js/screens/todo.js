import { h, clear } from '../dom.js';
import { all, kv } from '../db.js';
import { onOutboxChange } from '../outbox.js';
import { chinaToday, toRectify } from '../rectification.js';
import { awaitsRectification, isReportedFixed, isSentBack } from '../lifecycle.js';

const STRINGS = {
  title: '待办',
  decisions: '审核退回与需复查',
  followUp: '上轮问题待跟进',
  rectify: '待整改',
  none: '没有待处理的审核意见。',
  noFollowUp: '没有上轮遗留问题。',
  noRectify: '没有待整改的问题。',
  deadline: (d) => `整改时限 ${d}`,
  noDeadline: '未设整改时限',
  overdue: (n) => `逾期${n}天`,
  carried: '上轮遗留',
  reason: (r) => `原因：${r}`,
  where: (f) => [f.unit, f.floor ? `${f.floor}层` : null, f.location_detail].filter(Boolean).join(' '),
};

// Drawn again when the outbox changes what the rectification list shows (an upload, a refusal).
export async function render(root) {
  let alive = true;
  let shown = await paint(root);
  let checking = Promise.resolve();
  const stop = onOutboxChange(() => {
    checking = checking.then(async () => {
      if (!alive) return;
      const fresh = document.createElement('div');
      const now = await paint(fresh);
      if (!alive || now === shown) return;
      shown = now;
      root.replaceChildren(...fresh.childNodes);
    }).catch((error) => console.warn(error));
  });
  return () => { alive = false; stop(); };
}

async function paint(root) {
  const [findings, buildings, round, items] = await Promise.all([all('findings'), all('buildings'), kv.get('round'), all('outbox')]);
  const labels = new Map(buildings.map((b) => [b.id, b.label]));
  const decisions = findings.filter((f) => isSentBack(f.status));
  const followUps = findings.filter((f) => round?.round && f.round && f.round !== round.round
    && !isReportedFixed(f.status) && !isSentBack(f.status) && !awaitsRectification(f.status));
  const rectify = toRectify(findings, items, chinaToday());
  const entry = (f) => h('li', { dataset: { finding: f.uuid } }, h('a', { href: `#/todo/finding/${f.uuid}` },
    h('div', { class: 'grow' },
      h('div', { class: 'title' }, labels.get(f.building_id) || `#${f.building_id}`),
      h('div', {}, h('span', { class: 'chip bad' }, f.status_label), f.check_item),
      STRINGS.where(f) ? h('div', { class: 'sub' }, STRINGS.where(f)) : null,
      f.review_reason ? h('div', { class: 'reason' }, STRINGS.reason(f.review_reason)) : null),
    h('span', { class: 'chevron', 'aria-hidden': 'true' }, '›')));
  const rectifyEntry = ({ finding: f, overdue, state }) => h('li', { dataset: { finding: f.uuid } }, h('a', { href: `#/todo/finding/${f.uuid}` },
    h('div', { class: 'grow' },
      h('div', { class: 'title' }, labels.get(f.building_id) || `#${f.building_id}`),
      h('div', {}, state ? h('span', { class: `chip rectify-${state.key}` }, state.label) : h('span', { class: 'chip warn' }, f.status_label),
        !state && overdue ? h('span', { class: 'chip overdue' }, STRINGS.overdue(overdue)) : null,
        round?.round && f.round && f.round !== round.round ? h('span', { class: 'chip plain' }, STRINGS.carried) : null),
      h('div', {}, f.check_item),
      h('div', { class: 'sub' }, [f.deadline ? STRINGS.deadline(f.deadline) : STRINGS.noDeadline, STRINGS.where(f)].filter(Boolean).join(' · '))),
    h('span', { class: 'chevron', 'aria-hidden': 'true' }, '›')));
  clear(root, h('h1', {}, STRINGS.title),
    h('h2', {}, STRINGS.decisions),
    decisions.length ? h('ul', { class: 'list', id: 'todo-list' }, decisions.map(entry)) : h('p', { class: 'muted' }, STRINGS.none),
    h('h2', {}, STRINGS.rectify),
    rectify.length ? h('ul', { class: 'list', id: 'rectify-list' }, rectify.map(rectifyEntry)) : h('p', { class: 'muted' }, STRINGS.noRectify),
    h('h2', {}, STRINGS.followUp),
    followUps.length ? h('ul', { class: 'list' }, followUps.map(entry)) : h('p', { class: 'muted' }, STRINGS.noFollowUp));
  return JSON.stringify(rectify.map(({ finding: f, state }) => [f.uuid, f.status, state?.key]));
}
