// The JavaScript rule evaluator against the shared vectors (forms/rule_vectors.json), as Python passes them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { evaluate, equals, isAnswered, OPERATORS, RuleError } from '../../pwa/js/rules.js';
import { sameJson } from './same-json.mjs';

const VECTORS = JSON.parse(readFileSync(new URL('../../forms/rule_vectors.json', import.meta.url), 'utf8'));

test('there are shared vectors to check', () => {
  assert.ok(VECTORS.length >= 60);
});

for (const vector of VECTORS) {
  test(`vector: ${vector.name}`, () => {
    const result = evaluate(vector.rule, vector.answers, vector.facts, vector.defects ?? null, vector.context ?? null);
    assert.ok(sameJson(result, vector.result),
      `expected ${JSON.stringify(vector.result)}, got ${JSON.stringify(result)}`);
  });
}

test('the port knows exactly the operators the Python evaluator knows', () => {
  const python = ['answer', 'fact', 'answered', 'all', 'any', 'not', '==', '!=', '<', '<=', '>', '>=',
    'between', 'in', 'contains', 'count', 'defect', 'any_defect', '+', '-', '*', 'round_year', 'setting'];
  assert.deepEqual([...OPERATORS].sort(), [...python].sort());
});

test('names inherited from Object.prototype are absent answers, facts and defects', () => {
  for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
    assert.equal(evaluate({ answer: name }, {}, {}), null);
    assert.equal(evaluate({ fact: name }, {}, {}), null);
    assert.equal(evaluate({ answered: name }, {}, {}), false);
    assert.equal(evaluate({ defect: name }, {}, {}, {}), false);
  }
  assert.equal(evaluate({ any_defect: true }, {}, {}, {}), false);
});

test('an own __proto__ answer parsed from JSON is an ordinary answer', () => {
  const answers = JSON.parse('{"__proto__": 5}');
  assert.equal(evaluate({ '==': [{ answer: '__proto__' }, 5] }, answers, {}), true);
});

test('answers and facts that are not objects count as empty', () => {
  for (const bad of [null, undefined, 3, 'x', [1, 2], true]) {
    assert.equal(evaluate({ answer: 'q' }, bad, bad), null);
    assert.equal(evaluate({ '==': [{ fact: 'floors_above' }, null] }, bad, bad, bad), true);
  }
});

test('evaluation never throws on odd answer values', () => {
  const odd = [null, true, false, 0, -0, 3.5, 1e308, Infinity, NaN, '', 'x', [], [1, 'a', null], {}, { a: 1 }];
  const rules = [
    { '==': [{ answer: 'q' }, 1] }, { '<': [{ answer: 'q' }, 1] }, { between: [{ answer: 'q' }, 0, 9] },
    { in: [{ answer: 'q' }, [1, 'a', null, true]] }, { contains: [{ answer: 'q' }, 'a'] },
    { count: { answer: 'q' } }, { answered: 'q' }, { not: { answer: 'q' } }, { all: [{ answer: 'q' }] },
    { defect: 'q' }, { any_defect: true },
  ];
  for (const value of odd) {
    for (const rule of rules) {
      assert.doesNotThrow(() => evaluate(rule, { q: value }, { floors_above: value }, { q: { '==': [{ answer: 'q' }, true] } }));
    }
  }
});

test('a malformed rule throws RuleError', () => {
  assert.throws(() => evaluate([1, 2], {}, {}), RuleError);
  assert.throws(() => evaluate({ '==': [1, 1], '!=': [1, 2] }, {}, {}), RuleError);
  assert.throws(() => evaluate({ constructor: 1 }, {}, {}), RuleError);
  assert.throws(() => evaluate({}, {}, {}), RuleError);
});

test('equality and answered helpers follow the documented semantics', () => {
  assert.equal(equals(true, 1), false);
  assert.equal(equals(3, 3.0), true);
  assert.equal(equals(undefined, null), true);
  assert.equal(equals([], []), false);
  assert.equal(isAnswered(false), true);
  assert.equal(isAnswered(0), true);
  assert.equal(isAnswered({}), true);
  assert.equal(isAnswered([]), false);
  assert.equal(isAnswered(''), false);
});
