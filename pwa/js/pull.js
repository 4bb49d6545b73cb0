// Pull: the user's buildings (with their facts), findings with review decisions, and others'
// observations, from the server's change feed. The cursor is stored in the same transaction as
// the page it ends, so a cut mid-pull repeats a page and never skips one.
// When the account's scope changed (moved to another community, say), the server answers
// `reset`: what was pulled is dropped, in one transaction with the new scope epoch, and the pull
// starts again from 0. The outbox, drafts and photos are not touched (sync/PROTOCOL.md §3).
import { api } from './api.js';
import { atomically, kv } from './db.js';
import { deviceId } from './outbox.js';
import { releaseVersion } from './update.js';

const STORE_OF_KIND = { building: 'buildings', finding: 'findings', submission: 'observations' };
const PULLED = ['buildings', 'findings', 'observations'];
const MAX_PAGES = 200;

// Returns how many changes arrived.
export async function pullChanges() {
  if (!(await kv.get('session'))) return 0;
  let received = 0;
  const device = await deviceId();
  const version = await releaseVersion();
  let cursor = (await kv.get('cursor')) || '0';
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const { data } = await api.pull(cursor, device, await kv.get('scope'), version);
    if (data.reset) {
      await atomically([...PULLED, 'kv'], (stores) => {
        for (const name of PULLED) stores[name].clear();
        stores.kv.put('0', 'cursor');
        stores.kv.put(data.scope, 'scope');
      });
      await refreshUser();
      cursor = '0';
      continue;
    }
    await atomically([...PULLED, 'kv'], (stores) => {
      for (const change of data.changes) {
        const store = STORE_OF_KIND[change.kind];
        if (store) stores[store].put(change.data);
      }
      stores.kv.put(data.cursor, 'cursor');
      if (data.scope !== undefined) stores.kv.put(data.scope, 'scope');
      stores.kv.put({ round: data.round, round_year: data.round_year ?? null, settings: data.settings ?? {},
        forms: data.forms }, 'round');
      stores.kv.put(new Date().toISOString(), 'pulled_at');
    });
    cursor = data.cursor;
    received += data.changes.length;
    if (!data.more) break;
  }
  return received;
}

// The signed-in user as the server now describes them (role, communities), kept with the session.
async function refreshUser() {
  try {
    const { data } = await api.me();
    const session = await kv.get('session');
    if (session) await kv.set('session', { ...session, user: data });
  } catch (error) {
    console.warn('me', error);
  }
}

// The facts the form rules read (forms/facts.py), from a pulled building.
export function factsOf(building) {
  const names = ['year_built', 'build_era', 'structure_type', 'structure_subtype', 'precast_slabs',
    'seismic_reinforced', 'reinforced_year', 'appraisal_grade', 'floors_above', 'floors_below',
    'units', 'households', 'has_elevator', 'gas_supply', 'visible_damage'];
  const facts = Object.fromEntries(names.map((name) => [name, building[name] ?? null]));
  facts.has_property_management = Boolean(building.property_company);
  return facts;
}
