// The service worker: registered at the root scope; a new release installs in the background and
// waits, whole, until the user applies it (or every tab is closed). The outbox and drafts live in
// IndexedDB, which a release never touches.
import { h } from './dom.js';

const STRINGS = {
  ready: '新版本已下载，可离线使用。',
  apply: '立即更新',
};

export function registerServiceWorker(notices) {
  if (!('serviceWorker' in navigator)) return; // e.g. WeChat on iOS: the app still works online
  // Reload only when the user applied an update: the first install also changes the controller
  // (clients.claim), and a page must never reload under someone typing.
  let applying = false;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (!applying) return;
    applying = false;
    location.reload();
  });
  navigator.serviceWorker.register('/sw.js', { scope: '/', updateViaCache: 'none' }).then((registration) => {
    const offer = () => {
      if (!registration.waiting || !navigator.serviceWorker.controller) return;
      if (document.getElementById('update-notice')) return;
      const waiting = registration.waiting;
      notices.append(h('div', { id: 'update-notice', class: 'notice info' }, h('p', {}, STRINGS.ready),
        h('button', { type: 'button', class: 'primary', onclick: () => { applying = true; waiting.postMessage({ type: 'activate' }); } },
          STRINGS.apply)));
    };
    offer();
    registration.addEventListener('updatefound', () => {
      const installing = registration.installing;
      installing?.addEventListener('statechange', () => { if (installing.state === 'installed') offer(); });
    });
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') registration.update().catch(() => {});
    });
  }).catch((error) => console.warn('service worker', error));
}

// The release the page runs under, as its service worker names it.
export async function releaseVersion() {
  const controller = navigator.serviceWorker && navigator.serviceWorker.controller;
  if (!controller) return null;
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = (event) => resolve(event.data.version);
    controller.postMessage({ type: 'version' }, [channel.port2]);
    setTimeout(() => resolve(null), 1000);
  });
}
