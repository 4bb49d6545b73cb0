// The app: boot, the screens behind the hash routes, the tab bar with the outbox badge, and when
// to sync (on open, when the network returns, when the app comes to the front, on the button —
// Safari has no Background Sync).
import { h, clear } from './dom.js';
import { openDb } from './db.js';
import { onOutboxChange, syncOutbox, waitingCount } from './outbox.js';
import { isIos, isStandalone, isWeChat, requestPersistence } from './platform.js';
import { pullChanges } from './pull.js';
import { currentSession } from './session.js';
import { registerServiceWorker } from './update.js';
import * as buildingList from './screens/buildings.js';
import * as building from './screens/building.js';
import * as form from './screens/form.js';
import * as finding from './screens/finding.js';
import * as rectify from './screens/rectify.js';
import * as outbox from './screens/outbox.js';
import * as todo from './screens/todo.js';
import * as me from './screens/me.js';
import * as signin from './screens/signin.js';

const STRINGS = {
  tabs: { buildings: '楼栋', todo: '待办', outbox: '同步', me: '我的' },
  offline: '当前无网络：可继续调查，数据保存在手机上，有网后自动同步',
  wechat: '微信内置浏览器可能无法离线使用。请点右上角“…”，选择“在浏览器中打开”。',
  ios: '请用 Safari 的“分享 → 添加到主屏幕”安装楼检：否则 iPhone 会在 7 天未打开后清除手机上的数据。',
  insecure: '当前不是 HTTPS 连接：无法离线使用。请让管理员为服务器配置 HTTPS 后再安装。',
  dismiss: '知道了',
  syncFailed: '同步未完成，稍后自动重试',
};

const ROUTES = [
  [/^#\/b\/(\d+)\/f\/([\w-]+)$/, form, (m) => ({ buildingId: Number(m[1]), formId: m[2] })],
  [/^#\/b\/(\d+)$/, building, (m) => ({ buildingId: Number(m[1]) })],
  [/^#\/(todo\/)?finding\/([\w-]+)\/rectify$/, rectify, (m) => ({ findingUuid: m[2], from: m[1] ? 'todo' : null })],
  [/^#\/(todo\/)?finding\/([\w-]+)$/, finding, (m) => ({ findingUuid: m[2], from: m[1] ? 'todo' : null })],
  [/^#\/outbox$/, outbox, () => ({})],
  [/^#\/todo$/, todo, () => ({})],
  [/^#\/me$/, me, () => ({})],
  [/^(#\/?)?$/, buildingList, () => ({})],
];

const screen = document.getElementById('screen');
const notices = document.getElementById('notices');
const tabs = document.getElementById('tabs');
let cleanup = null;

async function show() {
  if (typeof cleanup === 'function') cleanup();
  cleanup = null;
  const session = await currentSession();
  tabs.hidden = !session;
  if (!session) {
    cleanup = await signin.render(screen, {}, { onSignedIn: afterSignIn });
    return;
  }
  const hash = location.hash;
  for (const [pattern, module, params] of ROUTES) {
    const match = pattern.exec(hash);
    if (match) {
      markTab(module);
      cleanup = await module.render(screen, params(match), { session, sync: syncEverything });
      return;
    }
  }
  location.hash = '#/';
}

function markTab(module) {
  const names = new Map([[buildingList, 'buildings'], [building, 'buildings'], [form, 'buildings'],
    [todo, 'todo'], [finding, 'todo'], [rectify, 'todo'], [outbox, 'outbox'], [me, 'me']]);
  for (const link of tabs.querySelectorAll('a')) {
    link.classList.toggle('active', link.dataset.tab === names.get(module));
  }
}

function buildTabs() {
  const tab = (name, href) => h('a', { href, dataset: { tab: name } },
    h('span', {}, STRINGS.tabs[name]),
    name === 'outbox' ? h('b', { id: 'badge', class: 'badge', hidden: true, 'aria-label': '待同步条数' }) : null);
  clear(tabs, tab('buildings', '#/'), tab('todo', '#/todo'), tab('outbox', '#/outbox'), tab('me', '#/me'));
}

async function updateBadge() {
  const badge = document.getElementById('badge');
  if (!badge) return;
  const waiting = await waitingCount();
  badge.textContent = String(waiting);
  badge.hidden = waiting === 0;
}

function notice(id, text, kind = 'info') {
  if (document.getElementById(id)) return;
  const box = h('div', { id, class: `notice ${kind}`, role: 'status' }, h('p', {}, text),
    h('button', { type: 'button', class: 'link', onclick: () => box.remove() }, STRINGS.dismiss));
  notices.append(box);
}

function showConnectivity() {
  const existing = document.getElementById('offline-notice');
  if (navigator.onLine) existing?.remove();
  else if (!existing) notices.prepend(h('div', { id: 'offline-notice', class: 'notice offline' }, STRINGS.offline));
}

let syncing = null;
// A sync already running when the signal returns (a slow pull, say) began without it: once that
// one ends, sync again, so what waited for the signal goes now rather than at the next trigger.
function syncWhenOnline() {
  const running = syncing;
  const sync = syncEverything();
  if (running) sync.then(() => syncEverything());
}

// Push what waits, then pull what changed; a failure here is shown per item, never thrown.
export function syncEverything({ force = false } = {}) {
  if (syncing) return syncing;
  syncing = (async () => {
    let received = 0;
    try {
      await syncOutbox({ force });
      received = await pullChanges();
    } catch (error) {
      console.warn(STRINGS.syncFailed, error);
    } finally {
      syncing = null;
      document.dispatchEvent(new CustomEvent('loujian:synced', { detail: { received } }));
    }
  })();
  return syncing;
}

async function afterSignIn() {
  await requestPersistence();
  location.hash = '#/';
  await show();
  await syncEverything(); // fills the building list: the synced event shows it
}

async function boot() {
  await openDb();
  buildTabs();
  onOutboxChange(updateBadge);
  document.addEventListener('loujian:synced', (event) => {
    updateBadge();
    // New buildings or review decisions: refresh what is shown, but never under a form being filled.
    if (event.detail.received && !/\/f\/|\/rectify$/.test(location.hash)) show();
  });
  updateBadge();
  if (!window.isSecureContext) notice('insecure-notice', STRINGS.insecure, 'warn');
  if (isWeChat) notice('wechat-notice', STRINGS.wechat, 'warn');
  else if (isIos && !isStandalone()) notice('ios-notice', STRINGS.ios, 'warn');
  showConnectivity();
  window.addEventListener('online', () => { showConnectivity(); syncWhenOnline(); });
  window.addEventListener('offline', showConnectivity);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') syncEverything();
  });
  window.addEventListener('hashchange', show);
  window.addEventListener('loujian:signed-out', show);
  registerServiceWorker(notices);
  await show();
  document.body.dataset.ready = 'true';
  if (await currentSession()) {
    requestPersistence();
    syncEverything();
  }
}

boot();
