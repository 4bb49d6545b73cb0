/**
 * The rule language of Loujian forms, evaluated exactly as forms/rules.py does (forms/rule_vectors.json
 * pins the semantics; tests/js/rules.test.mjs checks every vector).
 *
 * Exports:
 *   evaluate(rule, answers, facts, defects?, context?) -> the rule's value (boolean, number, string, null, or an
 *       answer/fact value as is). Never throws because of answer or fact values; a malformed rule throws
 *       RuleError (the loader refuses such rules, so a loaded form never does).
 *   isAnswered(value) -> value is not null/undefined, "" or [].
 *   equals(a, b)      -> the language's equality (null only equals null, true is not 1, 3 equals 3.0,
 *       lists and objects never equal anything).
 *   RuleError         -> thrown for a malformed rule; has `path` and `problem` like the Python one.
 *   OPERATORS         -> the operator names the language has.
 *   isPlainObject(v), hasOwn(object, key), own(object, key) -> small helpers formlogic.js shares: an own
 *       property never comes from Object.prototype (an answer id "constructor" is just an unknown id).
 *
 * `answers` maps question ids to values, `facts` fact names to values (either may be anything: a non-object
 * counts as {}); `defects` maps question ids to their defect's `when` rule, or false when not asked;
 * `context` is what the survey round gives its rules: {round_year: number, settings: {name: number}}
 * (null: unknown; {"round_year": true} and {"setting": name} are then null).
 */

export class RuleError extends Error {
  constructor(path, problem) {
    super(`${path}: ${problem}`);
    this.name = 'RuleError';
    this.path = path;
    this.problem = problem;
  }
}

export function evaluate(rule, answers, facts, defects = null, context = null) {
  return new Evaluation(answers, facts, defects, context).value(rule);
}

/** The context a survey round gives its rules (as forms.rules.rule_context). */
export function ruleContext(roundYear = null, settings = {}) {
  return { round_year: roundYear ?? null, settings: isPlainObject(settings) ? { ...settings } : {} };
}

export function isAnswered(value) {
  return value !== null && value !== undefined && value !== '' && !(Array.isArray(value) && value.length === 0);
}

export function equals(a, b) {
  if (isNull(a) || isNull(b)) return isNull(a) && isNull(b);
  if (typeof a === 'boolean' || typeof b === 'boolean') return a === b;
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  if (typeof a === 'string' && typeof b === 'string') return a === b;
  return false;
}

// Object.hasOwn is missing from some older in-app browsers (WeChat's X5 kernel).
export function hasOwn(object, key) {
  return Object.prototype.hasOwnProperty.call(object, key);
}

export function isPlainObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The own property `key` of `object`, or null: never a value inherited from Object.prototype. */
export function own(object, key) {
  return isPlainObject(object) && typeof key === 'string' && hasOwn(object, key) && object[key] !== undefined
    ? object[key] : null;
}

function isNull(value) {
  return value === null || value === undefined;
}

// Arithmetic on numbers only; a result that is not finite is null (as in Python).
function arithmetic(op, values) {
  if (values.length === 0 || !values.every((v) => typeof v === 'number')) return null;
  let result = values[0];
  for (const v of values.slice(1)) result = op === '+' ? result + v : op === '-' ? result - v : result * v;
  return Number.isFinite(result) ? result : null;
}

function numberOrNull(value) {
  return typeof value === 'number' ? value : null;
}

function ordered(op, a, b) {
  if (typeof a !== 'number' || typeof b !== 'number') return false;
  switch (op) {
    case '<': return a < b;
    case '<=': return a <= b;
    case '>': return a > b;
    default: return a >= b;
  }
}

class Evaluation {
  constructor(answers, facts, defects, context = null) {
    this.answers = isPlainObject(answers) ? answers : {};
    this.facts = isPlainObject(facts) ? facts : {};
    this.defects = isPlainObject(defects) ? defects : {};
    this.context = isPlainObject(context) ? context : {};
  }

  value(expr) {
    if (isNull(expr)) return null;
    if (typeof expr === 'boolean' || typeof expr === 'number' || typeof expr === 'string') return expr;
    const [op, arg] = operator(expr, 'rule');
    return OPERATIONS[op](this, arg, op);
  }

  condition(expr) {
    return this.value(expr) === true;
  }

  defect(qid) {
    const when = isPlainObject(this.defects) && typeof qid === 'string' && hasOwn(this.defects, qid)
      ? this.defects[qid] : false;
    return new Evaluation(this.answers, this.facts, null, this.context).condition(when);
  }
}

const OPERATIONS = Object.assign(Object.create(null), {
  answer: (e, qid) => own(e.answers, qid),
  fact: (e, name) => own(e.facts, name),
  answered: (e, qid) => isAnswered(own(e.answers, qid)),
  all: (e, conditions) => list(conditions, 'all').every((c) => e.condition(c)),
  any: (e, conditions) => list(conditions, 'any').some((c) => e.condition(c)),
  not: (e, condition) => !e.condition(condition),
  '==': (e, args) => equals(e.value(args[0]), e.value(args[1])),
  '!=': (e, args) => !equals(e.value(args[0]), e.value(args[1])),
  '<': (e, args, op) => ordered(op, e.value(args[0]), e.value(args[1])),
  '<=': (e, args, op) => ordered(op, e.value(args[0]), e.value(args[1])),
  '>': (e, args, op) => ordered(op, e.value(args[0]), e.value(args[1])),
  '>=': (e, args, op) => ordered(op, e.value(args[0]), e.value(args[1])),
  between: (e, args) => {
    const [x, low, high] = list(args, 'between').map((a) => e.value(a));
    return ordered('>=', x, low) && ordered('<=', x, high);
  },
  in: (e, args) => {
    const needle = e.value(args[0]);
    return !isNull(needle) && list(args[1], 'in').some((v) => equals(needle, v));
  },
  contains: (e, args) => {
    const haystack = e.value(args[0]);
    const needle = e.value(args[1]);
    return Array.isArray(haystack) && !isNull(needle) && haystack.some((v) => equals(v, needle));
  },
  count: (e, expr) => {
    const value = e.value(expr);
    return Array.isArray(value) ? value.length : 0;
  },
  defect: (e, qid) => e.defect(qid),
  any_defect: (e) => Object.keys(e.defects).some((qid) => e.defect(qid)),
  '+': (e, args, op) => arithmetic(op, list(args, op).map((a) => e.value(a))),
  '-': (e, args, op) => arithmetic(op, list(args, op).map((a) => e.value(a))),
  '*': (e, args, op) => arithmetic(op, list(args, op).map((a) => e.value(a))),
  round_year: (e) => numberOrNull(own(e.context, 'round_year')),
  setting: (e, name) => numberOrNull(own(own(e.context, 'settings'), name)),
});

export const OPERATORS = Object.freeze(Object.keys(OPERATIONS));

function operator(expr, path) {
  if (Array.isArray(expr)) throw new RuleError(path, "a list may only be the second argument of 'in'");
  const keys = isPlainObject(expr) ? Object.keys(expr) : [];
  if (keys.length !== 1) {
    throw new RuleError(path, 'an expression is a literal or an object with exactly one operator');
  }
  const op = keys[0];
  if (!(op in OPERATIONS)) throw new RuleError(path, `unknown operator '${op}'`);
  return [op, expr[op]];
}

function list(arg, op) {
  if (!Array.isArray(arg)) throw new RuleError(`rule.${op}`, 'expects a list');
  return arg;
}
