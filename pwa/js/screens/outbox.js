import { h, clear } from '../dom.js';
import { FINISHED, STATE_LABELS, onOutboxChange, outboxItems } from '../outbox.js';

const STRINGS = {
  title: '同步',
  syncNow: '立即同步',
  syncing: '正在同步…',
  waiting: (n) => (n ? `${n} 条等待同步` : '全部已同步'),
  empty: '还没有提交过调查。',
  photos: (n) => `照片 ${n} 张`,
  saved: (t) => `保存于 ${t}`,
  synced: (t) => `同步于 ${t}`,
  rule: '数据会一直保存在手机上，直到服务器确认收到；不会因超时被丢弃。',
  offline: '当前无网络，联网后会自动同步。',
};
const ORDER = { failed: 0, syncing: 1, pending: 2, done: 3, superseded: 4 };
const time = (iso) => (iso ? new Date(iso).toLocaleString('zh-CN', { hour12: false }) : '');

export async function render(root, params, { sync }) {
  const list = h('ul', { class: 'list', id: 'outbox-list' });
  const summary = h('p', { class: 'muted', id: 'outbox-summary' });
  const button = h('button', { type: 'button', class: 'primary wide', id: 'sync-now', onclick: async () => {
    button.disabled = true;
    button.textContent = STRINGS.syncing;
    await sync({ force: true });
    button.disabled = false;
    button.textContent = STRINGS.syncNow;
  } }, STRINGS.syncNow);

  const paint = async () => {
    const items = (await outboxItems()).sort((a, b) => (ORDER[a.state] - ORDER[b.state])
      || b.created_at.localeCompare(a.created_at));
    const waiting = items.filter((i) => !FINISHED.has(i.state)).length;
    summary.textContent = STRINGS.waiting(waiting) + (navigator.onLine ? '' : `。${STRINGS.offline}`);
    clear(list, items.map(row));
    if (!items.length) list.append(h('li', { class: 'empty' }, STRINGS.empty));
  };
  await paint();
  clear(root, h('div', { class: 'screen-head' }, h('h1', { class: 'grow' }, STRINGS.title)),
    summary, button, list, h('p', { class: 'muted' }, STRINGS.rule));
  const stop = onOutboxChange(paint);
  document.addEventListener('loujian:synced', paint);
  return () => { stop(); document.removeEventListener('loujian:synced', paint); };
}

function row(item) {
  return h('li', { dataset: { id: item.id, state: item.state } }, h('div', { class: 'row' }, h('div', { class: 'grow' },
    h('div', { class: 'title' }, item.title),
    h('div', { class: 'sub' }, [STRINGS.saved(time(item.created_at)), item.photos.length ? STRINGS.photos(item.photos.length) : null,
      item.done_at ? STRINGS.synced(time(item.done_at)) : null].filter(Boolean).join(' · ')),
    item.error ? h('div', { class: 'reason' }, item.error) : null,
    item.note ? h('div', { class: 'note' }, item.note) : null),
  h('span', { class: `chip state-${item.state}` }, STATE_LABELS[item.state])));
}
