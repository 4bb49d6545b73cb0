/**
 * Live-form logic of a Loujian survey form, ported from forms/answers.py and forms/findings.py; it must give
 * the same results (forms/form_vectors.json pins them; tests/js/formlogic.test.mjs checks every case).
 *
 * `form` is the form document exactly as the server serves it (the JSON of forms/<round>/<form>.json);
 * `answers` maps question ids to values; `facts` maps building fact names to values (null = unknown).
 * Every function that evaluates answers takes a last, optional `context`: the survey round's
 * {round_year, settings} (rules.js ruleContext), as forms/findings.py does.
 *
 * Exports:
 *   relevance(form, answers, facts) -> {asked: Set of question ids, answers: the answers to asked questions
 *       only, defects: {defect question id: its `when` rule, or false when the question is not asked}}.
 *       One pass in form order; answers to questions not asked are dropped, not rejected.
 *   isRequired(question, relevant, facts) -> boolean (`relevant` is what relevance() returned).
 *   validateAnswers(form, answers, facts) -> {question id: [Chinese message]}; {} when acceptable.
 *       Unknown ids get "表单中没有这道题"; a non-object `answers` gets {[FORM_LEVEL]: [...]}.
 *   questionProblems(question, relevant, facts) -> [Chinese message] for one asked question.
 *   deriveDefects(form, answers, facts) -> [{check_item, question_id, severity, class, responsible_unit,
 *       suggestion, difficulty, location, photos}] in form order; [] when the form does not apply.
 *   counts(form, answers, facts) -> whether the building counts for the form's indicator.
 *   measureValue(form, answers, facts) -> what the building adds to an indicator not counted in 栋 (the
 *       form's `measure`), a number or null.
 *   followUps(form, answers, facts) -> [{question_id, reason}]: answers that ask for a professional's look.
 *   applies(form, facts) -> whether the building is in the form's scope (applies_if).
 *   prescreen(form, facts) -> whether census facts flag the building (false without a prescreen rule).
 *   prescreenUncertain(form, facts) -> whether census facts leave it 待核实 (never when prescreen() flags it).
 *   resolveGraded(graded, answers, facts) -> a graded value: fixed, or the first case whose `when` holds.
 *   checkItemQuestion(form, {questionId, checkItem}) -> the defect question named either way, or null.
 *   reportedDefect(form, question, facts) -> a check item reported on its own (graded values from facts).
 *   questionsOf(form) -> every question of the form, in order.
 *   FORM_LEVEL, MESSAGES (every Chinese message, in one place).
 */
import { evaluate, hasOwn, isAnswered, isPlainObject, own } from './rules.js';

export const FORM_LEVEL = '_answers';
export const DEFAULT_TEXT_MAX_LENGTH = 500;
export const DEFAULT_PHOTOS_MAX_COUNT = 9;

export const MESSAGES = Object.freeze({
  answersNotObject: '答案格式错误：应为以题目编号为键的对象',
  unknownQuestion: '表单中没有这道题',
  required: '此题为必答题',
  tooSmall: (min) => `不能小于${pythonNumber(min)}`,
  tooLarge: (max) => `不能大于${pythonNumber(max)}`,
  yesNo: '请回答“是”或“否”',
  singleChoice: '请从选项中选择一项',
  multipleChoice: '请从选项中选择',
  duplicateChoice: '选项不能重复',
  integer: '请填写整数',
  decimal: '请填写数字',
  text: '请填写文字',
  textTooLong: (limit) => `不能超过${limit}个字`,
  date: '请填写有效日期（格式：YYYY-MM-DD）',
  photos: '照片应为SHA-256哈希值（64位小写十六进制）的列表',
  duplicatePhoto: '照片不能重复',
  tooFewPhotos: (low) => `至少需要${low}张照片`,
  tooManyPhotos: (high) => `最多${high}张照片`,
  location: '位置应包含单元（unit）、楼层（floor）、具体位置（detail）',
  locationText: (key, limit) => `${key === 'unit' ? '单元' : '具体位置'}应为不超过${limit}个字的文字`,
  floor: '楼层应为非零整数（地下一层填-1）',
  floorAbove: (above) => `楼层超出本楼地上层数（${above}层）`,
  floorBelow: (below) => `楼层超出本楼地下层数（${below}层）`,
  locationEmpty: '请至少填写单元、楼层或具体位置中的一项',
});

const PHOTO_HASH = /^[0-9a-f]{64}$/;
const DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
const LOCATION_KEYS = ['unit', 'floor', 'detail'];
const HIGHEST_FLOOR = 200; // as forms/answers.py: no building is taller
const LOCATION_TEXT_LIMITS = [['unit', 20], ['detail', 200]];

const questionCache = new WeakMap();

export function questionsOf(form) {
  let cached = questionCache.get(form);
  if (!cached) {
    const questions = form.sections.flatMap((section) => section.questions);
    cached = { questions, ids: new Set(questions.map((q) => q.id)) };
    questionCache.set(form, cached);
  }
  return cached;
}

export function relevance(form, answers, facts, context = null) {
  const given = isPlainObject(answers) ? answers : {};
  const asked = new Set();
  const kept = {};
  const defects = {};
  for (const section of form.sections) {
    const sectionAsked = evaluate(ruleOr(section, 'relevant', true), kept, facts, defects, context) === true;
    for (const question of section.questions) {
      const qid = question.id;
      const isAsked = sectionAsked
        && evaluate(ruleOr(question, 'relevant', true), kept, facts, defects, context) === true;
      if (isAsked) {
        asked.add(qid);
        if (hasOwn(given, qid)) kept[qid] = given[qid];
      }
      if (question.defect) defects[qid] = isAsked ? question.defect.when : false;
    }
  }
  return { asked, answers: kept, defects };
}

export function isRequired(question, relevant, facts, context = null) {
  return evaluate(ruleOr(question, 'required', false), relevant.answers, facts, relevant.defects, context) === true;
}

export function validateAnswers(form, answers, facts, context = null) {
  if (!isPlainObject(answers)) return { [FORM_LEVEL]: [MESSAGES.answersNotObject] };
  const knownFacts = isPlainObject(facts) ? facts : {};
  const { questions, ids } = questionsOf(form);
  const errors = {};
  for (const key of Object.keys(answers)) {
    if (!ids.has(key)) setOwn(errors, key, [MESSAGES.unknownQuestion]);
  }
  const relevant = relevance(form, answers, knownFacts, context);
  for (const question of questions) {
    if (!relevant.asked.has(question.id)) continue;
    const problems = questionProblems(question, relevant, knownFacts, context);
    if (problems.length) errors[question.id] = problems;
  }
  return errors;
}

export function questionProblems(question, relevant, facts, context = null) {
  const knownFacts = isPlainObject(facts) ? facts : {};
  const value = own(relevant.answers, question.id);
  if (!isAnswered(value)) return isRequired(question, relevant, knownFacts, context) ? [MESSAGES.required] : [];
  const problems = VALUE_CHECKS[question.type](question, value, knownFacts);
  if (problems.length || !hasOwn(question, 'constraint')) return problems;
  if (evaluate(question.constraint, relevant.answers, knownFacts, relevant.defects, context) !== true) {
    return [question.constraint_message];
  }
  return [];
}

export function applies(form, facts) {
  const rule = own(form, 'applies_if');
  return evaluate(rule === null ? true : rule, {}, facts) === true;
}

export function prescreen(form, facts) {
  const rule = own(form, 'prescreen');
  return rule !== null && applies(form, facts) && evaluate(rule, {}, facts) === true;
}

export function prescreenUncertain(form, facts) {
  const rule = own(form, 'prescreen_uncertain');
  return rule !== null && !prescreen(form, facts) && applies(form, facts) && evaluate(rule, {}, facts) === true;
}

export function deriveDefects(form, answers, facts, context = null) {
  if (!applies(form, facts)) return [];
  const relevant = relevance(form, answers, facts, context);
  const found = [];
  for (const question of questionsOf(form).questions) {
    const defect = question.defect;
    if (!defect) continue;
    if (relevant.defects[question.id] === false
      || evaluate(defect.when, relevant.answers, facts, null, context) !== true) continue;
    found.push({
      check_item: defect.check_item,
      question_id: question.id,
      ...gradedValues(defect, relevant.answers, facts, context),
      location: hasOwn(defect, 'location') ? own(relevant.answers, defect.location) : null,
      photos: hasOwn(defect, 'photos') ? orEmptyList(own(relevant.answers, defect.photos)) : [],
    });
  }
  return found;
}

export function counts(form, answers, facts, context = null) {
  if (!applies(form, facts)) return false;
  const relevant = relevance(form, answers, facts, context);
  return evaluate(form.counts_if, relevant.answers, facts, relevant.defects, context) === true;
}

export function measureValue(form, answers, facts, context = null) {
  const measure = own(form, 'measure');
  if (measure === null || !applies(form, facts)) return null;
  const relevant = relevance(form, answers, facts, context);
  const value = evaluate(measure, relevant.answers, facts, null, context);
  return typeof value === 'number' ? value : null;
}

export function followUps(form, answers, facts, context = null) {
  if (!applies(form, facts)) return [];
  const relevant = relevance(form, answers, facts, context);
  return questionsOf(form).questions
    .filter((q) => q.follow_up && relevant.asked.has(q.id)
      && evaluate(q.follow_up.when, relevant.answers, facts, null, context) === true)
    .map((q) => ({ question_id: q.id, reason: q.follow_up.reason }));
}

export function resolveGraded(graded, answers, facts, context = null) {
  if (!Array.isArray(graded)) return graded === undefined ? null : graded;
  for (const gradedCase of graded.slice(0, -1)) {
    if (evaluate(gradedCase.when, answers, facts, null, context) === true) return gradedCase.value;
  }
  return graded[graded.length - 1].value;
}

export function checkItemQuestion(form, { questionId = null, checkItem = null } = {}) {
  return questionsOf(form).questions.find((q) => q.defect &&
    (q.id === questionId || q.defect.check_item === checkItem)) ?? null;
}

export function reportedDefect(form, question, facts, context = null) {
  const defect = question.defect;
  return {
    check_item: defect.check_item,
    question_id: question.id,
    ...gradedValues(defect, {}, facts, context),
  };
}

function gradedValues(defect, answers, facts, context) {
  return {
    severity: resolveGraded(defect.severity, answers, facts, context),
    class: resolveGraded(defect.class, answers, facts, context),
    responsible_unit: resolveGraded(defect.responsible_unit, answers, facts, context),
    suggestion: defect.suggestion,
    difficulty: resolveGraded(own(defect, 'difficulty'), answers, facts, context),
  };
}

function ruleOr(holder, key, fallback) {
  return hasOwn(holder, key) ? holder[key] : fallback;
}

/** Python's `value or []`: every falsy Python value (None, False, 0, "", [], {}) becomes []; NaN is truthy. */
function orEmptyList(value) {
  const falsy = value === null || value === false || value === 0 || value === '' ||
    (Array.isArray(value) && value.length === 0) || (isPlainObject(value) && Object.keys(value).length === 0);
  return falsy ? [] : value;
}

/** Sets an own property even for keys such as "__proto__" (an answer id the form does not have). */
function setOwn(object, key, value) {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A number as Python's str() shows it in messages: integers in full, 1e-05 rather than 0.00001. */
function pythonNumber(x) {
  if (Number.isInteger(x)) return BigInt(x).toString();
  if (Math.abs(x) >= 1e-4) return String(x);
  const [mantissa, exponent] = x.toExponential().split('e');
  const digits = exponent.replace(/^[+-]/, '').padStart(2, '0');
  return `${mantissa}e${exponent.startsWith('-') ? '-' : '+'}${digits}`;
}

function isFiniteNumber(value) {
  return typeof value === 'number' && Number.isFinite(value);
}

function rangeProblems(question, value) {
  if (hasOwn(question, 'min') && value < question.min) return [MESSAGES.tooSmall(question.min)];
  if (hasOwn(question, 'max') && value > question.max) return [MESSAGES.tooLarge(question.max)];
  return [];
}

function codePoints(text) {
  return [...text].length;
}

function isValidDate(text) {
  const match = typeof text === 'string' && DATE.exec(text);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number);
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return day <= days;
}

function choiceValues(question) {
  return new Set(question.choices.map((choice) => choice.value));
}

function checkLocation(question, value, facts) {
  if (!isPlainObject(value) || !Object.keys(value).every((key) => LOCATION_KEYS.includes(key))) {
    return [MESSAGES.location];
  }
  const problems = [];
  for (const [key, limit] of LOCATION_TEXT_LIMITS) {
    const text = own(value, key);
    if (text !== null && (typeof text !== 'string' || codePoints(text) > limit)) {
      problems.push(MESSAGES.locationText(key, limit));
    }
  }
  const floor = own(value, 'floor');
  if (floor !== null) problems.push(...floorProblems(floor, facts));
  if (!problems.length && !LOCATION_KEYS.some((key) => isAnswered(own(value, key)))) {
    problems.push(MESSAGES.locationEmpty);
  }
  return problems;
}

function floorProblems(floor, facts) {
  if (!Number.isInteger(floor) || floor === 0 || Math.abs(floor) > HIGHEST_FLOOR) return [MESSAGES.floor];
  const above = own(facts, 'floors_above');
  const below = own(facts, 'floors_below');
  if (Number.isInteger(above) && floor > above) return [MESSAGES.floorAbove(above)];
  if (Number.isInteger(below) && floor < -below) return [MESSAGES.floorBelow(below)];
  return [];
}

const VALUE_CHECKS = {
  yes_no: (q, value) => (typeof value === 'boolean' ? [] : [MESSAGES.yesNo]),
  single_choice: (q, value) => (typeof value === 'string' && choiceValues(q).has(value) ? [] : [MESSAGES.singleChoice]),
  multiple_choice: (q, value) => {
    const allowed = choiceValues(q);
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && allowed.has(v))) {
      return [MESSAGES.multipleChoice];
    }
    return new Set(value).size === value.length ? [] : [MESSAGES.duplicateChoice];
  },
  // JSON has one number type, so 3.0 is the integer 3.
  integer: (q, value) => (isFiniteNumber(value) && Number.isInteger(value) ? rangeProblems(q, value) : [MESSAGES.integer]),
  decimal: (q, value) => (isFiniteNumber(value) ? rangeProblems(q, value) : [MESSAGES.decimal]),
  text: (q, value) => {
    if (typeof value !== 'string') return [MESSAGES.text];
    const limit = hasOwn(q, 'max_length') ? q.max_length : DEFAULT_TEXT_MAX_LENGTH;
    return codePoints(value) > limit ? [MESSAGES.textTooLong(limit)] : [];
  },
  date: (q, value) => (isValidDate(value) ? [] : [MESSAGES.date]),
  photos: (q, value) => {
    if (!Array.isArray(value) || !value.every((h) => typeof h === 'string' && PHOTO_HASH.test(h))) {
      return [MESSAGES.photos];
    }
    if (new Set(value).size !== value.length) return [MESSAGES.duplicatePhoto];
    const low = hasOwn(q, 'min_count') ? q.min_count : 0;
    const high = hasOwn(q, 'max_count') ? q.max_count : DEFAULT_PHOTOS_MAX_COUNT;
    if (value.length < low) return [MESSAGES.tooFewPhotos(low)];
    return value.length > high ? [MESSAGES.tooManyPhotos(high)] : [];
  },
  location: checkLocation,
};
