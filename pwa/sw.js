// The service worker caches the app shell and the forms — nothing else. The outbox, drafts and
// photos live in IndexedDB, owned by the app; a release never touches them.
// `self.RELEASE` ({version, shell: {url: url?v=digest}, forms: [url]}) is written in front of
// this file by the server (server/app_shell/shell.py).
const { version, shell, forms } = self.RELEASE;
const CACHE = `loujian-shell-${version}`;
const CACHE_PREFIX = 'loujian-shell-';

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // Every request bypasses the HTTP cache; addAll fails whole if any one fails, so a release
    // is either complete in its cache or not installed at all.
    const urls = [...Object.values(shell), ...forms];
    await cache.addAll(urls.map((url) => new Request(url, { cache: 'reload' })));
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE)
      .map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  if (event.data?.type === 'activate') self.skipWaiting();
  if (event.data?.type === 'version') event.ports[0]?.postMessage({ version });
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate' && (url.pathname === '/' || url.pathname === '/index.html')) {
    event.respondWith(fromShell('/', request));
  } else if (shell[url.pathname] && !url.search) {
    event.respondWith(fromShell(url.pathname, request));
  } else if (url.pathname === '/api/forms' || url.pathname.startsWith('/api/forms/')) {
    event.respondWith(networkThenCache(request));
  }
  // Everything else (the API, photos, the desk) goes to the network as usual.
});

async function fromShell(path, request) {
  const cache = await caches.open(CACHE);
  return (await cache.match(shell[path])) || fetch(request);
}

// Forms: fresh when online, the precached copy of this release when not.
async function networkThenCache(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(request, { ignoreSearch: false });
    if (cached) return cached;
    throw error;
  }
}
