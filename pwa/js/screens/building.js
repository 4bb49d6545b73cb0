import { h, clear } from '../dom.js';
import { all, get } from '../db.js';
import { applies, prescreen, prescreenUncertain } from '../formlogic.js';
import { loadForms } from '../forms.js';
import { isSentBack } from '../lifecycle.js';
import { progressByBuilding } from '../progress.js';
import { factsOf } from '../pull.js';
import { STATE_LABELS } from '../outbox.js';

const STRINGS = {
  back: '返回楼栋列表',
  missing: '手机上没有这栋楼的资料，请联网同步。',
  facts: '楼栋信息',
  indicators: (count) => `${count}项指标`,
  decisions: '审核意见',
  notApplicable: '不适用',
  prescreened: '初筛命中',
  prescreenUncertain: '初筛待核实',
  draft: '草稿',
  notSurveyed: '未调查',
  observed: '他人已调查',
  unknown: '未知',
  yes: '有', no: '无',
  labels: {
    year_built: '建成年份', structure_type: '结构', floors_above: '地上层数', floors_below: '地下层数',
    units: '单元数', households: '户数', has_elevator: '电梯', gas_supply: '燃气', property_company: '物业',
  },
  structures: { masonry: '砌体结构', concrete: '钢筋混凝土', steel: '钢结构', timber: '木结构', other: '其他' },
  gas: { pipeline: '管道燃气', bottled: '瓶装液化气', none: '未使用燃气' },
  noProperty: '无物业',
  reason: (r) => `原因：${r}`,
};

export async function render(root, { buildingId }) {
  const building = await get('buildings', buildingId);
  const back = h('a', { class: 'back', href: '#/', 'aria-label': STRINGS.back }, '‹');
  if (!building) {
    clear(root, h('div', { class: 'screen-head' }, back), h('p', { class: 'empty' }, STRINGS.missing));
    return;
  }
  const [forms, progress, findings] = await Promise.all([
    loadForms(), progressByBuilding(), all('findings', 'building_id', buildingId)]);
  const mine = progress.get(buildingId) || { drafts: new Set(), forms: new Map(), indicators: new Set() };
  const facts = factsOf(building);
  const decisions = findings.filter((f) => isSentBack(f.status));

  clear(root,
    h('div', { class: 'screen-head' }, back, h('div', { class: 'grow' },
      h('h1', {}, building.label),
      h('p', { class: 'muted' }, [building.community, building.address, building.code].filter(Boolean).join(' · ')),
      h('p', { class: 'muted', id: 'fact-line' }, factLine(building)))),
    decisions.length ? h('section', { class: 'card', id: 'decisions' }, h('h2', {}, STRINGS.decisions),
      decisions.map((f) => h('a', { class: 'question decision', href: `#/finding/${f.uuid}` },
        h('span', { class: 'chip bad' }, f.status_label), h('b', {}, f.check_item), ' ›',
        f.review_reason ? h('p', { class: 'reason' }, STRINGS.reason(f.review_reason)) : null))) : null,
    h('h2', {}, STRINGS.indicators(forms.list.length)),
    h('ul', { class: 'list', id: 'indicators' }, forms.list.map((summary) =>
      indicatorRow(buildingId, summary, forms.documents[summary.id], facts, mine))),
    h('details', { class: 'card' }, h('summary', {}, STRINGS.facts), factList(building)));
}

function indicatorRow(buildingId, summary, form, facts, mine) {
  const chips = [];
  const inScope = !form || applies(form, facts);
  const item = mine.forms.get(summary.id);
  if (!inScope) chips.push(h('span', { class: 'chip plain' }, STRINGS.notApplicable));
  if (inScope && form && prescreen(form, facts)) chips.push(h('span', { class: 'chip bad' }, STRINGS.prescreened));
  if (inScope && form && prescreenUncertain(form, facts)) {
    chips.push(h('span', { class: 'chip warn' }, STRINGS.prescreenUncertain));
  }
  if (item) chips.push(h('span', { class: `chip state-${item.state}` }, STATE_LABELS[item.state]));
  else if (mine.indicators.has(summary.indicator)) chips.push(h('span', { class: 'chip good' }, STRINGS.observed));
  if (mine.drafts.has(summary.id)) chips.push(h('span', { class: 'chip warn' }, STRINGS.draft));
  if (!chips.length) chips.push(h('span', { class: 'chip plain' }, STRINGS.notSurveyed));
  return h('li', {}, h('a', { href: `#/b/${buildingId}/f/${summary.id}`, dataset: { form: summary.id } },
    h('span', { class: 'indicator-number' }, summary.indicator),
    h('div', { class: 'grow' }, h('div', { class: 'title' }, summary.title), h('div', {}, chips)),
    h('span', { class: 'chevron', 'aria-hidden': 'true' }, '›')));
}

function factLine(b) {
  return [b.year_built && `${b.year_built}年`, STRINGS.structures[b.structure_type],
    b.floors_above && `${b.floors_above}层`, b.units && `${b.units}单元`, b.households != null && `${b.households}户`,
    STRINGS.gas[b.gas_supply]].filter(Boolean).join(' · ');
}

function factList(building) {
  const show = (key) => {
    const value = building[key];
    if (key === 'property_company') return value || STRINGS.noProperty;
    if (value === null || value === undefined) return STRINGS.unknown;
    if (key === 'structure_type') return STRINGS.structures[value] || value;
    if (key === 'gas_supply') return STRINGS.gas[value] || value;
    if (typeof value === 'boolean') return value ? STRINGS.yes : STRINGS.no;
    return String(value);
  };
  return h('dl', { class: 'facts' }, Object.entries(STRINGS.labels).map(([key, label]) =>
    [h('dt', {}, label), h('dd', {}, show(key))]));
}
