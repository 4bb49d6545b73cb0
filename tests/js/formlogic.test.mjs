// The JavaScript form logic against the shared form vectors (forms/form_vectors.json, made from Python by
// forms/tools/make_form_vectors.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';

import {
  applies, checkItemQuestion, counts, deriveDefects, followUps, measureValue, prescreen, prescreenUncertain, relevance,
  reportedDefect, validateAnswers,
} from '../../pwa/js/formlogic.js';
import { sameJson } from './same-json.mjs';

const FORMS_ROOT = new URL('../../forms/', import.meta.url);
const VECTORS = JSON.parse(readFileSync(new URL('form_vectors.json', FORMS_ROOT), 'utf8'));
const REGENERATE = 'if a form changed on purpose, run .venv/bin/python -m forms.tools.make_form_vectors';

/** The current (highest non-retired) version of every form under forms/<round>/, by id. */
function loadCurrentForms() {
  const current = new Map();
  for (const entry of readdirSync(FORMS_ROOT, { withFileTypes: true })) {
    const folder = new URL(`${entry.name}/`, FORMS_ROOT);
    if (!entry.isDirectory() || !readdirSync(folder).includes('system.json')) continue;
    for (const name of readdirSync(folder).filter((n) => n.endsWith('.json') && n !== 'system.json')) {
      const form = JSON.parse(readFileSync(new URL(name, folder), 'utf8'));
      const seen = current.get(form.id);
      if (!form.retired && (!seen || seen.version < form.version)) current.set(form.id, form);
    }
  }
  return current;
}

const FORMS = loadCurrentForms();
for (const form of VECTORS.inline_forms) FORMS.set(form.id, form);

function outcome(form, facts, answers, context = null) {
  const relevant = relevance(form, answers, facts, context);
  const ids = form.sections.flatMap((s) => s.questions.map((q) => q.id));
  const found = deriveDefects(form, answers, facts, context);
  return {
    applies: applies(form, facts),
    prescreen: prescreen(form, facts),
    prescreen_uncertain: prescreenUncertain(form, facts),
    asked: ids.filter((id) => relevant.asked.has(id)),
    kept: ids.filter((id) => Object.hasOwn(relevant.answers, id)),
    in_play: ids.filter((id) => Object.hasOwn(relevant.defects, id) && relevant.defects[id] !== false),
    errors: validateAnswers(form, answers, facts, context),
    defects: found.map((d) => d.check_item),
    findings: found,
    counts: counts(form, answers, facts, context),
    measure: measureValue(form, answers, facts, context),
    follow_ups: followUps(form, answers, facts, context),
  };
}

test('the vectors cover enough cases and all ten forms', () => {
  assert.ok(VECTORS.cases.length >= 60);
  const realForms = new Set(VECTORS.cases.map((c) => c.form).filter((id) => id.startsWith('2024-')));
  assert.equal(realForms.size, 10);
  const forms2025 = new Set(VECTORS.cases.map((c) => c.form).filter((id) => id.startsWith('2025-')));
  assert.equal(forms2025.size, 9);
});

for (const vector of VECTORS.cases) {
  test(`form vector: ${vector.name}`, () => {
    const form = FORMS.get(vector.form);
    assert.ok(form, `no form ${vector.form}`);
    const got = outcome(form, vector.facts, vector.answers, vector.context ?? null);
    for (const key of Object.keys(vector.expected)) {
      assert.ok(sameJson(got[key], vector.expected[key]),
        `${key}: expected ${JSON.stringify(vector.expected[key])}, got ${JSON.stringify(got[key])} (${REGENERATE})`);
    }
  });
}

test('a check item reported on its own takes graded values from the facts alone', () => {
  const form = FORMS.get('2024-envelope-safety');
  const question = checkItemQuestion(form, { checkItem: '外墙保温材料破损脱落' });
  assert.equal(question.id, 'insulation_damaged');
  assert.deepEqual(reportedDefect(form, question, { has_property_management: false }), {
    check_item: '外墙保温材料破损脱落', question_id: 'insulation_damaged', severity: '一般', class: '限时解决',
    responsible_unit: '社区服务中心', suggestion: question.defect.suggestion, difficulty: '一般',
  });
  assert.equal(checkItemQuestion(form, { questionId: 'no_such_question' }), null);
});

test('validation never throws on odd answers', () => {
  const odd = [null, true, 0, -0, 2.5, 1e308, Infinity, NaN, '', 'x', [], ['a'], {}, { floor: 1 }];
  for (const form of FORMS.values()) {
    for (const value of odd) {
      const answers = Object.fromEntries(form.sections.flatMap((s) => s.questions.map((q) => [q.id, value])));
      for (const facts of [{}, null, { floors_above: value, households: value, gas_supply: value }]) {
        assert.doesNotThrow(() => {
          validateAnswers(form, answers, facts);
          deriveDefects(form, answers, facts);
          counts(form, answers, facts);
        }, `${form.id} with ${String(value)}`);
      }
    }
  }
});
