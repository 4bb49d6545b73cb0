// The phone's own storage (IndexedDB). The app owns it; the service worker never touches it.
// Stores: kv (session, device id, pull cursor), buildings, findings, observations (pulled),
// drafts (one per building + form), outbox (operations until the server confirms them),
// photos (ArrayBuffer bytes by SHA-256: Safari fails on Blobs in IndexedDB).
const NAME = 'loujian';
const VERSION = 1;
const STORES = {
  kv: {},
  buildings: { keyPath: 'id' },
  findings: { keyPath: 'uuid', indexes: ['building_id'] },
  observations: { keyPath: 'uuid', indexes: ['building_id'] },
  drafts: { keyPath: 'key', indexes: ['building_id'] },
  outbox: { keyPath: 'id', indexes: ['state', 'building_id'] },
  photos: { keyPath: 'sha' },
};

let opening = null;

export function openDb() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(NAME, VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        for (const [name, options] of Object.entries(STORES)) {
          if (db.objectStoreNames.contains(name)) continue;
          const store = db.createObjectStore(name, options.keyPath ? { keyPath: options.keyPath } : undefined);
          for (const index of options.indexes || []) store.createIndex(index, index);
        }
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
      request.onblocked = () => reject(new Error('数据库被其他窗口占用，请关闭其他楼检窗口'));
    });
  }
  return opening;
}

function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function finished(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error('事务已中止'));
  });
}

export async function get(store, key) {
  const db = await openDb();
  return done(db.transaction(store).objectStore(store).get(key));
}

export async function all(store, index, value) {
  const db = await openDb();
  const source = db.transaction(store).objectStore(store);
  return done(index ? source.index(index).getAll(value) : source.getAll());
}

export async function count(store, index, value) {
  const db = await openDb();
  const source = db.transaction(store).objectStore(store);
  return done(index ? source.index(index).count(value) : source.count());
}

export async function put(store, value, key) {
  const db = await openDb();
  const tx = db.transaction(store, 'readwrite');
  tx.objectStore(store).put(value, key);
  return finished(tx);
}

export async function remove(store, key) {
  const db = await openDb();
  const tx = db.transaction(store, 'readwrite');
  tx.objectStore(store).delete(key);
  return finished(tx);
}

// Several writes that land together or not at all: `work(stores)` gets {name: objectStore}.
export async function atomically(storeNames, work) {
  const db = await openDb();
  const tx = db.transaction(storeNames, 'readwrite');
  const stores = Object.fromEntries(storeNames.map((name) => [name, tx.objectStore(name)]));
  work(stores);
  return finished(tx);
}

export const kv = {
  get: (key) => get('kv', key),
  set: (key, value) => put('kv', value, key),
  remove: (key) => remove('kv', key),
};
