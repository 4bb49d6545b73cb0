import { h, clear } from '../dom.js';
import { all, kv } from '../db.js';

const STRINGS = {
  title: '待办',
  decisions: '审核退回与需复查',
  followUp: '上轮问题待跟进',
  none: '没有待处理的审核意见。',
  noFollowUp: '没有上轮遗留问题。',
  reason: (r) => `原因：${r}`,
  where: (f) => [f.unit, f.floor ? `${f.floor}层` : null, f.location_detail].filter(Boolean).join(' '),
};
const DECISIONS = new Set(['returned', 'resurvey']);
const CLOSED = new Set(['rectified', 'verified']);

export async function render(root) {
  const [findings, buildings, round] = await Promise.all([all('findings'), all('buildings'), kv.get('round')]);
  const labels = new Map(buildings.map((b) => [b.id, b.label]));
  const decisions = findings.filter((f) => DECISIONS.has(f.status));
  const followUps = findings.filter((f) => round?.round && f.round && f.round !== round.round
    && !CLOSED.has(f.status) && !DECISIONS.has(f.status));
  const entry = (f) => h('li', { dataset: { finding: f.uuid } }, h('a', { href: `#/finding/${f.uuid}` },
    h('div', { class: 'grow' },
      h('div', { class: 'title' }, labels.get(f.building_id) || `#${f.building_id}`),
      h('div', {}, h('span', { class: 'chip bad' }, f.status_label), f.check_item),
      STRINGS.where(f) ? h('div', { class: 'sub' }, STRINGS.where(f)) : null,
      f.review_reason ? h('div', { class: 'reason' }, STRINGS.reason(f.review_reason)) : null),
    h('span', { class: 'chevron', 'aria-hidden': 'true' }, '›')));
  clear(root, h('h1', {}, STRINGS.title),
    h('h2', {}, STRINGS.decisions),
    decisions.length ? h('ul', { class: 'list', id: 'todo-list' }, decisions.map(entry)) : h('p', { class: 'muted' }, STRINGS.none),
    h('h2', {}, STRINGS.followUp),
    followUps.length ? h('ul', { class: 'list' }, followUps.map(entry)) : h('p', { class: 'muted' }, STRINGS.noFollowUp));
}
