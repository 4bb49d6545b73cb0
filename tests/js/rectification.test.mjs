// The phone's rectification logic: China dates, days overdue, and what a queued report shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { chinaToday, daysOverdue, rectificationState, toRectify } from '../../pwa/js/rectification.js';

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
