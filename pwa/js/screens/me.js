import { h, clear } from '../dom.js';
import { all, count } from '../db.js';
import { FINISHED, waitingCount } from '../outbox.js';
import { formatBytes, isIos, isPersisted, isStandalone, requestPersistence, storageEstimate } from '../platform.js';
import { signOut } from '../session.js';
import { releaseVersion } from '../update.js';

const STRINGS = {
  title: '我的',
  storage: '手机存储',
  used: '已占用',
  quota: '可用上限',
  buildings: '楼栋资料',
  drafts: '草稿',
  waiting: '待同步',
  photos: '照片',
  unsentPhotos: '未上传照片',
  persisted: '已开启持久存储：浏览器不会自动清除楼检的数据。',
  notPersisted: '未开启持久存储：手机空间不足时浏览器可能清除数据。建议把楼检添加到主屏幕。',
  askPersist: '申请持久存储',
  ios: 'iPhone 请用 Safari 的“分享 → 添加到主屏幕”安装，否则 7 天未打开会被清除数据。',
  signOut: '退出登录',
  confirmSignOut: (n) => `还有 ${n} 条未同步。退出后它们仍保存在手机上，重新登录后会继续同步。确定退出吗？`,
  version: (v) => `版本 ${v || '未安装离线版本'}`,
  items: (n) => `${n} 条`,
  count: (n) => `${n} 栋`,
};

export async function render(root, params, { session }) {
  const [estimate, persisted, buildings, drafts, waiting, photos, items, version] = await Promise.all([
    storageEstimate(), isPersisted(), count('buildings'), count('drafts'), waitingCount(), all('photos'),
    all('outbox'), releaseVersion()]);
  const unsent = new Set(items.filter((i) => !FINISHED.has(i.state)).flatMap((i) => i.photos));
  const unsentBytes = photos.filter((p) => unsent.has(p.sha)).reduce((sum, p) => sum + p.size, 0);
  const user = session.user;
  const scope = [...(user.communities || []).map((c) => c.name), user.property_company?.name, user.agency?.name].filter(Boolean);
  const stat = (label, value, id) => h('div', { id }, h('span', { class: 'muted' }, label), h('b', {}, value));
  const persistButton = h('button', { type: 'button', class: 'wide', onclick: async () => {
    await requestPersistence();
    render(root, params, { session });
  } }, STRINGS.askPersist);

  clear(root, h('h1', {}, STRINGS.title),
    h('div', { class: 'card' }, h('b', {}, user.display_name), h('p', { class: 'muted' }, `${user.role_label} · ${scope.join('、')}`)),
    h('div', { class: 'card', id: 'storage' }, h('h2', {}, STRINGS.storage),
      h('div', { class: 'stats' },
        stat(STRINGS.used, formatBytes(estimate?.usage), 'storage-used'),
        stat(STRINGS.quota, formatBytes(estimate?.quota), 'storage-quota'),
        stat(STRINGS.buildings, STRINGS.count(buildings)),
        stat(STRINGS.drafts, STRINGS.items(drafts)),
        stat(STRINGS.waiting, STRINGS.items(waiting), 'storage-waiting'),
        stat(STRINGS.unsentPhotos, `${unsent.size} 张 · ${formatBytes(unsentBytes)}`)),
      h('p', { class: persisted ? 'saved' : 'note', id: 'persisted' }, persisted ? STRINGS.persisted : STRINGS.notPersisted),
      persisted ? null : persistButton,
      isIos && !isStandalone() ? h('p', { class: 'note' }, STRINGS.ios) : null),
    h('button', { type: 'button', class: 'wide', onclick: async () => {
      if (waiting && !confirm(STRINGS.confirmSignOut(waiting))) return;
      await signOut();
      location.hash = '#/';
      location.reload();
    } }, STRINGS.signOut),
    h('p', { class: 'muted', id: 'release' }, STRINGS.version(version)));
}
