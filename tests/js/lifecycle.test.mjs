// The phone's lifecycle helpers against the vectors made from sync/lifecycle.py
// (sync/tools/make_lifecycle_files.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import {
  afterCorrection, afterRectificationReport, awaitsRectification, inSet, isEditable, isReportedFixed, isSentBack, statusLabel,
} from '../../pwa/js/lifecycle.js';

const VECTORS = JSON.parse(readFileSync(new URL('../../sync/lifecycle_vectors.json', import.meta.url), 'utf8'));
const HELPERS = { editable: isEditable, sent_back: isSentBack, awaiting_rectification: awaitsRectification, reported_fixed: isReportedFixed };

test('every state has the label and the sets the server gives it', () => {
  for (const state of VECTORS.states) {
    assert.equal(statusLabel(state.status), state.label);
    for (const [name, expected] of Object.entries(state.in)) {
      assert.equal(inSet(name, state.status), expected, `${state.status} in ${name}`);
      if (HELPERS[name]) assert.equal(HELPERS[name](state.status), expected, `${name}(${state.status})`);
    }
  }
});

test('a correction and a rectification report lead where the server leads them', () => {
  for (const state of VECTORS.states) {
    assert.equal(afterCorrection(state.status), state.correction.status ?? null, `correct ${state.status}`);
    assert.equal(afterRectificationReport(state.status), state.rectification_report.status ?? null, `rectify ${state.status}`);
  }
});

test('an unknown status is shown as it is and allows nothing', () => {
  assert.equal(statusLabel('nonsense'), 'nonsense');
  assert.equal(isEditable('nonsense'), false);
  assert.equal(afterRectificationReport('nonsense'), null);
});
