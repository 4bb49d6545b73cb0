// The survey forms, as the server serves them (public endpoints the service worker precaches).
// A copy is kept in IndexedDB too, for browsers without a service worker (WeChat on iOS).
import { api } from './api.js';
import { kv } from './db.js';
import { ruleContext } from './rules.js';

let loaded = null;

export async function loadForms({ refresh = false } = {}) {
  if (loaded && !refresh) return loaded;
  try {
    const list = (await api.forms()).data;
    const documents = {};
    for (const summary of list.forms) documents[summary.id] = (await api.form(summary.id)).data;
    loaded = { list: list.forms, documents, round_year: list.round_year ?? null, settings: list.settings ?? {} };
    await kv.set('forms', loaded);
  } catch (error) {
    loaded = (await kv.get('forms')) || loaded;
    if (!loaded) throw error;
  }
  return loaded;
}

// What the form rules read beyond answers and facts (forms/rules.py `context`): the current round's year
// and its indicator system's settings, from the last pull, else from the forms listing.
export async function roundContext() {
  const pulled = await kv.get('round');
  if (pulled && pulled.round_year !== undefined) return ruleContext(pulled.round_year, pulled.settings);
  const forms = await loadForms().catch(() => null);
  return ruleContext(forms?.round_year ?? null, forms?.settings ?? {});
}

export async function formById(id) {
  const forms = await loadForms();
  return forms.documents[id] || null;
}
