// The survey forms, as the server serves them (public endpoints the service worker precaches).
// A copy is kept in IndexedDB too, for browsers without a service worker (WeChat on iOS).
import { api } from './api.js';
import { kv } from './db.js';

let loaded = null;

export async function loadForms({ refresh = false } = {}) {
  if (loaded && !refresh) return loaded;
  try {
    const list = (await api.forms()).data;
    const documents = {};
    for (const summary of list.forms) documents[summary.id] = (await api.form(summary.id)).data;
    loaded = { list: list.forms, documents };
    await kv.set('forms', loaded);
  } catch (error) {
    loaded = (await kv.get('forms')) || loaded;
    if (!loaded) throw error;
  }
  return loaded;
}

export async function formById(id) {
  const forms = await loadForms();
  return forms.documents[id] || null;
}
