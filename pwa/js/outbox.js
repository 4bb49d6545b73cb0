// The outbox: every save becomes an item that stays on the phone until the server confirms it
// (applied / already_applied, and every photo it names is on the server). Nothing expires.
// Retries: network errors, 408, 429, 5xx, with full-jitter backoff capped at 5 minutes and
// never sooner than Retry-After (GUIDE §3). Any other 4xx marks the item 失败 with the reason.
import { api } from './api.js';
import { all, atomically, count, get, kv, put } from './db.js';
import { confirmedFinding } from './rectification.js';

// `superseded`: a failed item the user replaced (重新上报); kept for the record, never sent.
export const STATE_LABELS = { pending: '待同步', syncing: '同步中', done: '已同步', failed: '失败', superseded: '已作废（已重新上报）' };
export const FINISHED = new Set(['done', 'superseded']);
const BATCH = 100;
const BACKOFF_BASE_MS = 2000;
const BACKOFF_CAP_MS = 5 * 60 * 1000;
const listeners = new Set();
let running = null;
let timer = null;

export function onOutboxChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function changed() {
  for (const listener of listeners) listener();
}

export function newId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export async function deviceId() {
  let id = await kv.get('device_id');
  if (!id) {
    id = newId();
    await kv.set('device_id', id);
  }
  return id;
}

// Queue an operation; `extra(stores, items)` are writes that must land with it (e.g. dropping the
// draft). `refuse(items, finding)`, given the outbox and the operation's finding as read in the
// same transaction, may answer a message: then nothing is written and the promise rejects with
// an Error carrying it (`refused: true`).
export async function enqueue(operation, { title, buildingId, photos = [] }, extra = () => {}, refuse = null) {
  const item = {
    id: operation.id, operation, title, building_id: buildingId, photos,
    state: 'pending', pushed: false, result: null, error: null, note: null,
    attempts: 0, next_at: 0, created_at: new Date().toISOString(),
  };
  let refusal = null;
  try {
    await atomically(['outbox', 'drafts', 'findings'], (stores) => {
      const items = stores.outbox.getAll();
      const finding = stores.findings.get(operation.finding || '');
      finding.onsuccess = () => {
        refusal = refuse ? refuse(items.result, finding.result) : null;
        if (refusal) {
          stores.outbox.transaction.abort();
          return;
        }
        stores.outbox.put(item);
        extra(stores, items.result);
      };
    });
  } catch (error) {
    if (refusal) throw Object.assign(new Error(refusal), { refused: true });
    throw error;
  }
  changed();
  return item;
}

export const outboxItems = () => all('outbox');
export const waitingCount = async () => (await count('outbox')) - (await count('outbox', 'state', 'done'))
  - (await count('outbox', 'state', 'superseded'));

export function backoffMs(attempts, retryAfterMs = 0) {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempts, 20));
  return Math.max(retryAfterMs, Math.random() * ceiling);
}

// One sync at a time per phone (two tabs share the lock); `force` ignores backoff and retries 失败.
export function syncOutbox({ force = false } = {}) {
  if (running) return running;
  const work = () => runSync(force);
  running = (navigator.locks ? navigator.locks.request('loujian-outbox', work) : work())
    .finally(() => { running = null; });
  return running;
}

async function runSync(force) {
  // Without signal there is nothing to try: the `online` event starts the next sync.
  if (!(await kv.get('session')) || navigator.onLine === false) return;
  const now = Date.now();
  const open = (await outboxItems()).filter((item) => !FINISHED.has(item.state));
  const due = open.filter((item) => force || (item.state !== 'failed' && item.next_at <= now));
  if (due.length) {
    const device = await deviceId();
    for (let i = 0; i < due.length; i += BATCH) await pushBatch(device, due.slice(i, i + BATCH));
    await sendPhotos(due.filter((item) => item.pushed && item.state === 'syncing'));
  }
  scheduleRetry();
}

async function save(item, changes) {
  Object.assign(item, changes);
  await put('outbox', item);
  changed();
}

async function postpone(items, failure) {
  for (const item of items) {
    const attempts = item.attempts + 1;
    const wait = backoffMs(attempts, failure.retryAfterMs);
    const seconds = Math.ceil(wait / 1000);
    const reason = failure.status ? `服务器暂时不可用（${failure.status}）` : '网络不可用';
    await save(item, { state: 'pending', attempts, next_at: Date.now() + wait,
      note: failure.status === 401 ? '登录已过期：重新登录后自动同步' : `${reason}，约 ${seconds} 秒后自动重试` });
  }
}

async function waitForSignIn(items) {
  for (const item of items) await save(item, { state: 'pending', note: '登录已过期：重新登录后自动同步' });
}

async function fail(items, message, refusal = null) {
  for (const item of items) await save(item, { state: 'failed', error: message, note: null, refusal });
}

// Confirmed: a rectification report writes the finding's new status in the same transaction, so
// the finding never shows 待整改 again if the pull that follows fails.
async function finish(item) {
  Object.assign(item, { state: 'done', note: null, error: null, done_at: new Date().toISOString() });
  if (item.operation.op !== 'rectification.report') return save(item, {});
  await atomically(['outbox', 'findings'], (stores) => {
    stores.outbox.put(item);
    const request = stores.findings.get(item.operation.finding);
    request.onsuccess = () => {
      const finding = confirmedFinding(request.result, item);
      if (finding) stores.findings.put(finding);
    };
  });
  changed();
}

async function pushBatch(device, items) {
  for (const item of items) await save(item, { state: 'syncing', note: null, error: null });
  const toPush = items.filter((item) => !item.pushed);
  if (!toPush.length) return;
  let response;
  try {
    response = await api.push(device, toPush.map((item) => item.operation));
  } catch (failure) {
    if (failure.retryable) return postpone(toPush, failure);
    if (failure.status === 401) return waitForSignIn(toPush);
    return fail(toPush, failure.message, failure.code || null);
  }
  const results = new Map(response.data.results.map((r) => [r.id, r]));
  for (const item of toPush) {
    const result = results.get(item.id);
    if (result && (result.status === 'applied' || result.status === 'already_applied')) {
      await save(item, { pushed: true, result: result.result, attempts: 0 });
    } else {
      await fail([item], describeRefusal(result), result?.error?.code || null);
    }
  }
}

function describeRefusal(result) {
  if (!result) return '服务器未返回此条结果';
  const error = result.error || {};
  const fields = error.details && error.details.fields;
  const detail = fields ? `：${Object.entries(fields).map(([k, v]) => `${k} ${[].concat(v).join('；')}`).join('，')}` : '';
  return `${error.message || '服务器拒收'}${detail}`.slice(0, 300);
}

async function sendPhotos(items) {
  const hashes = [...new Set(items.flatMap((item) => item.photos))];
  const blocked = new Map(); // sha -> failure
  if (hashes.length) {
    let missing;
    try {
      missing = (await api.checkPhotos(hashes)).data.missing;
    } catch (failure) {
      if (failure.status === 401) return waitForSignIn(items);
      return failure.retryable ? postpone(items, failure) : fail(items, failure.message);
    }
    for (const sha of missing) {
      const photo = await get('photos', sha);
      if (!photo) {
        blocked.set(sha, { retryable: false, message: '照片在本机丢失，请重新拍摄' });
        continue;
      }
      try {
        await api.uploadPhoto(photo);
      } catch (failure) {
        if (failure.status === 401) failure.retryable = true; // after the next sign-in
        blocked.set(sha, failure);
        if (failure.retryable) break; // the network is down: the rest would fail alike
      }
    }
    // After a retryable break, photos not tried are still missing: treat them like the failure.
    const breaker = [...blocked.values()].find((f) => f.retryable);
    if (breaker) for (const sha of missing) if (!blocked.has(sha)) blocked.set(sha, breaker);
  }
  for (const item of items) {
    const failures = item.photos.map((sha) => blocked.get(sha)).filter(Boolean);
    if (!failures.length) await finish(item);
    else if (failures.some((f) => f.retryable)) await postpone([item], failures.find((f) => f.retryable));
    else await fail([item], `照片上传失败：${failures[0].message}`);
  }
}

async function scheduleRetry() {
  clearTimeout(timer);
  const waiting = (await outboxItems()).filter((item) => item.state === 'pending');
  if (!waiting.length) return;
  const soonest = Math.min(...waiting.map((item) => item.next_at));
  timer = setTimeout(() => syncOutbox(), Math.max(0, soonest - Date.now()) + 50);
}
