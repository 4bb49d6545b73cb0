// The phone's rectification logic: China dates, days overdue, and what a queued report shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { chinaToday, daysOverdue, formValues, rectificationDraft, rectificationDraftKey, rectificationState, reportedContent,
  toRectify } from '../../pwa/js/rectification.js';

const report = (finding, state, created_at = '2024-08-15T02:00:00.000Z') =>
  ({ id: `r-${finding}-${created_at}`, state, created_at, operation: { op: 'rectification.report', finding } });

test('the China date turns at midnight in Shanghai, not UTC', () => {
  assert.equal(chinaToday(new Date('2024-08-14T15:59:59Z')), '2024-08-14');
  assert.equal(chinaToday(new Date('2024-08-14T16:00:00Z')), '2024-08-15');
});

test('overdue counts whole days after the deadline day', () => {
  assert.equal(daysOverdue('2024-08-15', '2024-08-15'), 0);
  assert.equal(daysOverdue('2024-08-15', '2024-08-14'), 0);
  assert.equal(daysOverdue('2024-08-15', '2024-08-16'), 1);
  assert.equal(daysOverdue('2024-02-28', '2024-03-01'), 2); // leap year
  assert.equal(daysOverdue('2023-12-31', '2024-01-10'), 10);
  assert.equal(daysOverdue(null, '2024-08-16'), 0);
});

test('a queued report shows 待上传 over the pulled status, a failed one says so', () => {
  const finding = { uuid: 'f1', status: 'accepted' };
  assert.equal(rectificationState(finding, []), null);
  assert.equal(rectificationState(finding, [report('f1', 'pending')]).label, '已整改（待上传）');
  assert.equal(rectificationState(finding, [report('f1', 'syncing')]).key, 'queued');
  assert.equal(rectificationState(finding, [report('f1', 'failed')]).key, 'failed');
  assert.equal(rectificationState(finding, [report('f2', 'pending')]), null);
});

test('once confirmed the pulled status tells: 待销项, or open again when sent back', () => {
  assert.equal(rectificationState({ uuid: 'f1', status: 'rectified' }, [report('f1', 'done')]).label, '已整改（待销项）');
  assert.equal(rectificationState({ uuid: 'f1', status: 'rectified' }, []).key, 'awaiting');
  assert.equal(rectificationState({ uuid: 'f1', status: 'rectifying' }, [report('f1', 'done')]), null);
});

test('to rectify: confirmed and rectifying findings, open ones first by deadline', () => {
  const findings = [
    { uuid: 'a', status: 'accepted', deadline: null },
    { uuid: 'b', status: 'rectifying', deadline: '2024-09-01' },
    { uuid: 'c', status: 'pending', deadline: null },
    { uuid: 'd', status: 'accepted', deadline: '2024-08-01' },
    { uuid: 'e', status: 'rectified', deadline: '2024-08-01' },
    { uuid: 'g', status: 'accepted', deadline: '2024-07-01' },
  ];
  const rows = toRectify(findings, [report('g', 'pending')], '2024-08-10');
  assert.deepEqual(rows.map((r) => r.finding.uuid), ['d', 'b', 'a', 'g']);
  assert.deepEqual(rows.map((r) => r.overdue), [9, 0, 0, 40]);
});

test('a rectification draft is kept per finding and never looks like a survey draft', () => {
  const now = new Date('2024-08-15T02:00:00Z');
  const a = rectificationDraft({ uuid: 'f1', building_id: 7 }, { rectified_on: '2024-08-14', note: '已更换', photos: ['s1'] }, now);
  const b = rectificationDraft({ uuid: 'f2', building_id: 7 }, { rectified_on: '2024-08-15', note: '', photos: [] }, now);
  assert.notEqual(a.key, b.key);
  assert.equal(a.key, rectificationDraftKey('f1'));
  assert.equal(a.form_id, undefined); // progress.js counts only drafts with a form
  assert.deepEqual([a.finding, a.building_id, a.rectified_on, a.note, a.photos], ['f1', 7, '2024-08-14', '已更换', ['s1']]);
});

test('the form reopens with its draft, keeping only photos still on the phone', () => {
  assert.deepEqual(formValues(undefined, '2024-08-15', new Set()), { rectified_on: '2024-08-15', note: '', photos: [] });
  const draft = { rectified_on: '2024-08-10', note: '已更换', photos: ['s1', 'gone'] };
  assert.deepEqual(formValues(draft, '2024-08-15', new Set(['s1'])), { rectified_on: '2024-08-10', note: '已更换', photos: ['s1'] });
  assert.equal(formValues({ rectified_on: '', photos: [] }, '2024-08-15', new Set()).rectified_on, ''); // cleared stays cleared
});

test('what was reported: this phone\'s report, else only the pulled date', () => {
  const item = { state: 'done', operation: { op: 'rectification.report', finding: 'f1', note: '已更换', photos: ['s1'], rectified_on: '2024-08-14' } };
  const finding = { uuid: 'f1', status: 'rectified', rectified_on: '2024-08-14' };
  assert.deepEqual(reportedContent(finding, rectificationState(finding, [item])),
    { rectified_on: '2024-08-14', note: '已更换', photos: ['s1'], local: true });
  assert.deepEqual(reportedContent(finding, rectificationState(finding, [])),
    { rectified_on: '2024-08-14', note: null, photos: [], local: false });
});
