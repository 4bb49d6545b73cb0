import { h, clear } from '../dom.js';
import { all, kv } from '../db.js';
import { loadForms } from '../forms.js';
import { progressByBuilding, surveyedCount } from '../progress.js';

const STRINGS = {
  title: '我的楼栋',
  search: '搜索：小区+楼号、地址或楼栋编码',
  allCommunities: '全部社区',
  allEstates: '全部小区',
  count: (shown, total) => `共 ${total} 栋${shown < total ? `，显示前 ${shown} 栋` : ''}`,
  more: '显示更多',
  prescreened: '初筛：优先排查',
  prescreenUncertain: '初筛：待核实',
  notSurveyed: '未调查',
  surveyed: (n, total) => `已调查 ${n}/${total}`,
  draft: '有草稿',
  empty: '手机上还没有楼栋资料。请在有网络时点“同步”。',
  noMatch: '没有符合条件的楼栋',
  sync: '立即同步',
  lastPulled: (t) => `楼栋资料更新于 ${t}`,
};
const PAGE = 60;

export async function render(root, params, { sync }) {
  const [buildings, progress, forms, pulledAt] = await Promise.all([
    all('buildings'), progressByBuilding(), loadForms().catch(() => ({ list: [] })), kv.get('pulled_at')]);
  const saved = (await kv.get('list_filter')) || { q: '', community: '', estate: '' };
  const formList = forms.list;
  const rows = buildings.map((b) => {
    const done = surveyedCount(progress.get(b.id), formList);
    return { building: b, done, hasDraft: Boolean(progress.get(b.id)?.drafts.size),
      haystack: `${b.label} ${b.address || ''} ${b.code || ''} ${b.estate}${b.number}`.toLowerCase() };
  });
  // Pre-screened first, then 待核实, then the ones not yet surveyed, then by name.
  const rank = (b) => (b.prescreened ? 2 : b.prescreen_uncertain ? 1 : 0);
  rows.sort((a, b) => (rank(b.building) - rank(a.building)) || ((a.done > 0) - (b.done > 0))
    || a.building.label.localeCompare(b.building.label, 'zh-CN', { numeric: true }));

  const communities = [...new Set(buildings.map((b) => b.community))].sort((a, b) => a.localeCompare(b, 'zh-CN'));
  const search = h('input', { type: 'search', placeholder: STRINGS.search, value: saved.q, 'aria-label': STRINGS.search });
  const community = h('select', { 'aria-label': STRINGS.allCommunities },
    h('option', { value: '' }, STRINGS.allCommunities), communities.map((c) => h('option', { value: c }, c)));
  community.value = saved.community;
  const estate = h('select', { 'aria-label': STRINGS.allEstates });
  const list = h('ul', { class: 'list', id: 'building-list' });
  const summary = h('p', { class: 'muted' });
  let limit = PAGE;

  const fillEstates = () => {
    const names = [...new Set(buildings.filter((b) => !community.value || b.community === community.value)
      .map((b) => b.estate))].sort((a, b) => a.localeCompare(b, 'zh-CN', { numeric: true }));
    const keep = names.includes(estate.value) ? estate.value : (names.includes(saved.estate) ? saved.estate : '');
    clear(estate, h('option', { value: '' }, STRINGS.allEstates), names.map((n) => h('option', { value: n }, n)));
    estate.value = keep;
  };

  const update = () => {
    const q = search.value.trim().toLowerCase().replace(/\s+/g, '');
    const matching = rows.filter((r) => (!community.value || r.building.community === community.value)
      && (!estate.value || r.building.estate === estate.value)
      && (!q || r.haystack.replace(/\s+/g, '').includes(q)));
    summary.textContent = STRINGS.count(Math.min(limit, matching.length), matching.length);
    clear(list, matching.slice(0, limit).map((r) => item(r, formList.length)));
    if (!matching.length) list.append(h('li', { class: 'empty' }, buildings.length ? STRINGS.noMatch : STRINGS.empty));
    if (matching.length > limit) {
      list.append(h('li', {}, h('button', { type: 'button', class: 'wide', onclick: () => { limit += PAGE; update(); } }, STRINGS.more)));
    }
    kv.set('list_filter', { q: search.value, community: community.value, estate: estate.value });
  };

  search.addEventListener('input', () => { limit = PAGE; update(); });
  community.addEventListener('change', () => { fillEstates(); limit = PAGE; update(); });
  estate.addEventListener('change', () => { limit = PAGE; update(); });
  fillEstates();

  const syncButton = h('button', { type: 'button', onclick: async () => {
    syncButton.disabled = true;
    await sync({ force: true });
    await render(root, params, { sync });
  } }, STRINGS.sync);
  clear(root,
    h('div', { class: 'screen-head' }, h('div', { class: 'grow' }, h('h1', {}, STRINGS.title),
      pulledAt ? h('p', { class: 'muted' }, STRINGS.lastPulled(new Date(pulledAt).toLocaleString('zh-CN', { hour12: false }))) : null),
    buildings.length ? null : syncButton),
    h('div', { class: 'search' }, search, community, estate),
    summary, list);
  update();
}

function item({ building, done, hasDraft }, total) {
  return h('li', {}, h('a', { href: `#/b/${building.id}` },
    h('div', { class: 'grow' },
      h('div', { class: 'title' }, building.label),
      h('div', { class: 'sub' }, [building.community, building.address].filter(Boolean).join(' · ')),
      h('div', {},
        building.prescreened ? h('span', { class: 'chip bad' }, STRINGS.prescreened) : null,
        building.prescreen_uncertain ? h('span', { class: 'chip warn' }, STRINGS.prescreenUncertain) : null,
        done ? h('span', { class: 'chip good' }, STRINGS.surveyed(done, total)) : h('span', { class: 'chip plain' }, STRINGS.notSurveyed),
        hasDraft ? h('span', { class: 'chip warn' }, STRINGS.draft) : null)),
    h('span', { class: 'chevron', 'aria-hidden': 'true' }, '›')));
}
