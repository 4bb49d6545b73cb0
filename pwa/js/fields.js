// One widget per question type. Each field: {el, setError(messages), setShown(bool), setDefect(bool)};
// it calls onChange(value) — undefined when the answer is cleared.
import { h } from './dom.js';
import { photoField } from './photo-field.js';

const STRINGS = {
  yes: '是', no: '否',
  unit: '单元', unitPlaceholder: '如 2单元',
  floor: '楼层', floorPlaceholder: '如 3，地下一层 -1',
  detail: '具体位置', detailPlaceholder: '如 厨房、楼道、地下室',
  textPlaceholder: '请填写',
};

export function createField(question, value, onChange, context) {
  const error = h('div', { class: 'error', role: 'alert', hidden: true });
  const label = h('div', { class: 'label', id: `label-${question.id}` }, question.label);
  const input = (BUILDERS[question.type] || buildText)(question, value, onChange, context);
  const el = h('div', { class: 'question', dataset: { question: question.id, type: question.type } },
    label, question.hint ? h('div', { class: 'hint' }, question.hint) : null, input, error);
  return {
    el,
    setError(messages) {
      error.hidden = !messages || !messages.length;
      error.textContent = messages ? messages.join('；') : '';
      el.classList.toggle('invalid', !error.hidden);
    },
    setShown(shown) { el.hidden = !shown; },
    setRequired(required) { label.classList.toggle('required', required); },
    setDefect(defect) { el.classList.toggle('defect', defect); },
  };
}

function choiceButtons(options, selected, onPick, multiple = false) {
  const group = h('div', { class: 'choices', role: multiple ? 'group' : 'radiogroup' });
  const paint = () => {
    for (const button of group.children) {
      const on = multiple ? selected.includes(button.dataset.value) : selected === button.dataset.value;
      button.setAttribute('aria-pressed', String(on));
    }
  };
  for (const option of options) {
    group.append(h('button', { type: 'button', dataset: { value: option.value }, onclick: () => {
      selected = onPick(option.value, selected);
      paint();
    } }, option.label));
  }
  paint();
  return group;
}

function buildYesNo(question, value, onChange) {
  const options = [{ value: 'true', label: STRINGS.yes }, { value: 'false', label: STRINGS.no }];
  return choiceButtons(options, value === undefined ? null : String(value), (picked) => {
    onChange(picked === 'true');
    return picked;
  });
}

function buildSingle(question, value, onChange) {
  return choiceButtons(question.choices, value ?? null, (picked) => { onChange(picked); return picked; });
}

function buildMultiple(question, value, onChange) {
  return choiceButtons(question.choices, Array.isArray(value) ? [...value] : [], (picked, selected) => {
    const next = selected.includes(picked) ? selected.filter((v) => v !== picked) : [...selected, picked];
    // Keep the form's order of choices, so the same selection always saves the same list.
    const ordered = question.choices.map((c) => c.value).filter((v) => next.includes(v));
    onChange(ordered.length ? ordered : undefined);
    return ordered;
  }, true);
}

function buildNumber(question, value, onChange) {
  const integer = question.type === 'integer';
  const input = h('input', { type: 'number', inputmode: integer ? 'numeric' : 'decimal',
    step: integer ? '1' : 'any', min: question.min, max: question.max, value: value ?? '',
    'aria-labelledby': `label-${question.id}` });
  input.addEventListener('input', () => {
    const text = input.value.trim();
    onChange(text === '' || !Number.isFinite(Number(text)) ? undefined : Number(text));
  });
  return input;
}

function buildText(question, value, onChange) {
  const input = h('textarea', { maxlength: question.max_length || 500, placeholder: STRINGS.textPlaceholder,
    'aria-labelledby': `label-${question.id}` });
  input.value = value ?? '';
  input.addEventListener('input', () => onChange(input.value.trim() === '' ? undefined : input.value));
  return input;
}

function buildDate(question, value, onChange) {
  const input = h('input', { type: 'date', value: value ?? '', 'aria-labelledby': `label-${question.id}` });
  input.addEventListener('change', () => onChange(input.value || undefined));
  return input;
}

function buildLocation(question, value, onChange) {
  const current = { unit: null, floor: null, detail: null, ...(value || {}) };
  const unit = h('input', { name: `${question.id}.unit`, maxlength: 20, placeholder: STRINGS.unitPlaceholder, value: current.unit ?? '' });
  const floor = h('input', { name: `${question.id}.floor`, type: 'number', inputmode: 'numeric', step: '1',
    placeholder: STRINGS.floorPlaceholder, value: current.floor ?? '' });
  const detail = h('input', { name: `${question.id}.detail`, maxlength: 200, placeholder: STRINGS.detailPlaceholder, value: current.detail ?? '' });
  const changed = () => {
    const text = (input) => input.value.trim() || null;
    const floorText = floor.value.trim();
    const next = { unit: text(unit), floor: floorText === '' ? null : Number(floorText), detail: text(detail) };
    onChange(next.unit === null && next.floor === null && next.detail === null ? undefined : next);
  };
  for (const input of [unit, floor, detail]) input.addEventListener('input', changed);
  return h('div', { class: 'location' },
    h('label', {}, h('small', {}, STRINGS.unit), unit),
    h('label', {}, h('small', {}, STRINGS.floor), floor),
    h('label', { class: 'detail' }, h('small', {}, STRINGS.detail), detail));
}

const BUILDERS = {
  yes_no: buildYesNo,
  single_choice: buildSingle,
  multiple_choice: buildMultiple,
  integer: buildNumber,
  decimal: buildNumber,
  text: buildText,
  date: buildDate,
  location: buildLocation,
  photos: (question, value, onChange, context) => photoField(question, value, onChange, context),
};

