// What has been done for each building and indicator, from what the phone holds: drafts, the
// outbox (this phone's surveys) and the observations pulled from the server (everyone's, of the
// current round only: last round's were of other forms, under another system other numbers).
import { all, kv } from './db.js';

export const draftKey = (buildingId, formId) => `${buildingId}:${formId}`;

export async function progressByBuilding() {
  const [drafts, items, observations, round] = await Promise.all([
    all('drafts'), all('outbox'), all('observations'), kv.get('round')]);
  const ofThisRound = (observation) => !round?.round || !observation.round || observation.round === round.round;
  const byBuilding = new Map();
  const entry = (id) => {
    if (!byBuilding.has(id)) byBuilding.set(id, { drafts: new Set(), forms: new Map(), indicators: new Set() });
    return byBuilding.get(id);
  };
  for (const draft of drafts) if (draft.form_id) entry(draft.building_id).drafts.add(draft.form_id); // not 整改 drafts
  for (const observation of observations.filter(ofThisRound)) {
    entry(observation.building_id).indicators.add(observation.indicator);
  }
  for (const item of items) {
    const op = item.operation;
    if (op.op !== 'submission.create') continue;
    const forms = entry(op.building_id).forms;
    const previous = forms.get(op.form_id);
    if (!previous || previous.created_at < item.created_at) forms.set(op.form_id, item);
  }
  return byBuilding;
}

// How many of the forms (list entries {id, indicator}) count as surveyed for one building.
export function surveyedCount(progress, formList) {
  if (!progress) return 0;
  return formList.filter((f) => progress.forms.has(f.id) || progress.indicators.has(f.indicator)).length;
}
