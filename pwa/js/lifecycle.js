// The finding's lifecycle as the phone needs it: labels, which states allow what, where a move
// leads. The table is the server's (sync/lifecycle.py), generated into lifecycle-data.js; checked
// against the shared vectors by tests/js/lifecycle.test.mjs.
import LIFECYCLE from './lifecycle-data.js';

const member = (name) => {
  const states = new Set(LIFECYCLE.sets[name]);
  return (status) => states.has(status);
};

export const isEditable = member('editable');
export const isSentBack = member('sent_back');
export const awaitsRectification = member('awaiting_rectification');
export const isReportedFixed = member('reported_fixed');
export const inSet = (name, status) => member(name)(status);

export const RECTIFIED = LIFECYCLE.after_rectification_report;

export function statusLabel(status) {
  return LIFECYCLE.states[status] ?? status;
}

// Where a correction from the field or a rectification report leads, or null when refused.
export function afterCorrection(status) {
  return isEditable(status) ? LIFECYCLE.after_correction : null;
}

export function afterRectificationReport(status) {
  return awaitsRectification(status) ? LIFECYCLE.after_rectification_report : null;
}
