// The phone's rectification logic: China dates, days overdue, and what a queued report shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { chinaToday, confirmedFinding, daysOverdue, formValues, rectificationDraft, rectificationDraftKey, rectificationState,
  reportProblem, reportRefusal, reportedContent, takenBefore, toRectify } from '../../pwa/js/rectification.js';

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

const item = (finding, state, created_at, extra = {}) => ({ ...report(finding, state, created_at), ...extra });

test('a confirmed report writes the status the server answered, else 已整改, never over a later pull', () => {
  const finding = { uuid: 'f1', status: 'accepted', status_label: '已确认', rectified_on: null, deadline: '2024-09-01' };
  const done = { ...item('f1', 'done'), operation: { op: 'rectification.report', finding: 'f1', rectified_on: '2024-08-14' },
    result: { rectification: 'r1', finding: { uuid: 'f1', status: 'rectified' } } };
  assert.deepEqual(confirmedFinding(finding, done),
    { ...finding, status: 'rectified', status_label: '已整改', rectified_on: '2024-08-14' });
  assert.equal(confirmedFinding(finding, { ...done, result: null }).status, 'rectified'); // no answer kept: 已整改
  assert.equal(confirmedFinding({ ...finding, status: 'verified' }, done), null); // a pull already moved it on
  assert.equal(confirmedFinding(undefined, done), null);
  // Written, the finding no longer waits: 待销项, and it cannot be reported again.
  const written = confirmedFinding(finding, done);
  assert.equal(rectificationState(written, [done]).key, 'awaiting');
  assert.equal(toRectify([written], [done], '2024-08-15')[0], undefined);
  assert.match(reportRefusal(written, [done]), /不能重复上报/);
});

test('a confirmed report outranks a later one refused because of it', () => {
  const done = item('f1', 'done', '2024-08-15T02:00:00.000Z');
  const refused = item('f1', 'failed', '2024-08-15T03:00:00.000Z', { refusal: 'finding.not_editable', error: '该问题已审核' });
  assert.equal(rectificationState({ uuid: 'f1', status: 'rectified' }, [done, refused]).key, 'awaiting');
  assert.equal(rectificationState({ uuid: 'f1', status: 'accepted' }, [done, refused]).key, 'awaiting'); // stale pull
  // Sent back (整改中 again), a new report refused for its own reason shows, and can be redone.
  const reused = item('f1', 'failed', '2024-08-16T03:00:00.000Z', { refusal: 'request.invalid' });
  const state = rectificationState({ uuid: 'f1', status: 'rectifying' }, [done, reused]);
  assert.deepEqual([state.key, state.item, state.redo], ['failed', reused, true]);
});

test('only a report the server refused can be redone; the one it replaced no longer counts', () => {
  const finding = { uuid: 'f1', status: 'accepted' };
  const refused = item('f1', 'failed', '2024-08-15T02:00:00.000Z', { pushed: false });
  const photosLost = item('f1', 'failed', '2024-08-15T02:00:00.000Z', { pushed: true }); // the server has it
  assert.equal(rectificationState(finding, [refused]).redo, true);
  assert.equal(rectificationState(finding, [photosLost]).redo, false);
  assert.equal(rectificationState({ uuid: 'f1', status: 'rectified' }, [refused]).redo, false);
  assert.equal(reportRefusal(finding, [refused]), null);
  assert.match(reportRefusal(finding, [photosLost]), /不能重复上报/);
  const superseded = { ...refused, state: 'superseded' };
  assert.equal(rectificationState(finding, [superseded]), null);
  assert.equal(rectificationState(finding, [superseded, item('f1', 'pending', '2024-08-16T02:00:00.000Z')]).key, 'queued');
});

test('a second report is refused while one waits or after one was confirmed', () => {
  const finding = { uuid: 'f1', status: 'accepted' };
  assert.equal(reportRefusal(finding, []), null);
  assert.equal(reportRefusal(finding, [item('f2', 'pending')]), null);
  assert.match(reportRefusal(finding, [item('f1', 'pending')]), /等待上传/);
  assert.match(reportRefusal(finding, [item('f1', 'syncing')]), /等待上传/);
  assert.match(reportRefusal({ uuid: 'f1', status: 'rectified' }, []), /不能重复上报/);
  assert.equal(reportRefusal({ uuid: 'f1', status: 'rectifying' }, [item('f1', 'done')]), null); // sent back: anew
});

test('an after-photo taken before the problem was found is flagged, by the moment not the clock text', () => {
  const finding = { captured_at: '2024-08-10T09:30:00+08:00' };
  assert.equal(takenBefore({ captured_at: '2024-08-10T09:29:59+08:00' }, finding), true);
  assert.equal(takenBefore({ captured_at: '2024-08-10T09:30:00+08:00' }, finding), false);
  assert.equal(takenBefore({ captured_at: '2024-08-10T02:00:00+00:00' }, finding), false); // 10:00 in China
  assert.equal(takenBefore({ captured_at: '2024-08-09T12:00:00+08:00' }, { captured_at: null, created_at: '2024-08-10T01:00:00Z' }), true);
  assert.equal(takenBefore({ captured_at: '2024-08-09T12:00:00+08:00' }, {}), false);
  assert.equal(takenBefore({}, finding), false);
});

test('the form\'s checks use the day of saving: a form open past China midnight takes the new day', () => {
  const evidence = new Set(['e1']);
  const values = { rectified_on: '2024-08-15', photos: ['a1'] };
  assert.equal(reportProblem(values, evidence, chinaToday(new Date('2024-08-14T15:59:00Z'))), 'future');
  assert.equal(reportProblem(values, evidence, chinaToday(new Date('2024-08-14T16:01:00Z'))), null);
  assert.equal(reportProblem({ rectified_on: '', photos: ['a1'] }, evidence, '2024-08-15'), 'noDay');
  assert.equal(reportProblem({ ...values, photos: [] }, evidence, '2024-08-15'), 'noPhotos');
  assert.equal(reportProblem({ ...values, photos: ['e1'] }, evidence, '2024-08-15'), 'reused');
});

test('a redo opens with the refused report\'s content, a draft still wins', () => {
  const refused = { rectified_on: '2024-08-12', note: '已更换', photos: ['s1', 'gone'] };
  assert.deepEqual(formValues(undefined, '2024-08-15', new Set(['s1']), refused), { rectified_on: '2024-08-12', note: '已更换', photos: ['s1'] });
  assert.equal(formValues({ rectified_on: '2024-08-14', note: '草稿', photos: [] }, '2024-08-15', new Set(), refused).note, '草稿');
});
