// The photos of one question: take with the camera or pick from the gallery; each is shrunk and
// stored on the phone at once, shown with its time/place stamp, and can be opened or removed.
import { photoCopy } from './api.js';
import { h, clear } from './dom.js';
import { get } from './db.js';
import { confirmDialog } from './feedback.js';
import { formatBytes } from './platform.js';
import { stampText, takePhoto } from './photos.js';

const STRINGS = {
  camera: '拍照',
  gallery: '从相册选',
  working: '正在处理照片…',
  failed: (m) => `照片处理失败：${m}`,
  remove: '删除这张照片',
  open: '查看照片',
  close: '关闭',
  limit: (n) => `最多 ${n} 张`,
  size: (p) => `${p.width}×${p.height} · ${formatBytes(p.size)}（原图 ${formatBytes(p.original_size)}）`,
  timeSource: { exif: '时间取自照片', device: '时间取自手机' },
  placeSource: { exif: '位置取自照片', device: '位置取自手机定位', null: '无定位' },
  stored: '已保存在手机上，联网后自动上传',
  confirmRemove: '删除这张照片？删除后需重新拍摄。',
  removeOk: '删除',
  fromServer: '服务器上的照片',
};

// `options.warn(photo)` may give a warning shown on that photo's tile; `options.onBusy(busy)` hears
// when photos start and finish being processed (also `field.busy`), so a form can wait for them.
export function photoField(question, value, onChange, { warn = () => null, onBusy = () => {} } = {}) {
  let hashes = Array.isArray(value) ? [...value] : [];
  let working = 0;
  const max = question.max_count || 9;
  const thumbs = h('div', { class: 'thumbs' });
  const status = h('p', { class: 'muted', hidden: true, role: 'status' });
  const picker = (capture) => {
    const input = h('input', { type: 'file', accept: 'image/*', multiple: !capture, capture: capture ? 'environment' : null,
      dataset: { picker: capture ? 'camera' : 'gallery' } });
    input.addEventListener('change', async () => {
      const files = [...input.files];
      input.value = '';
      if (!files.length) return;
      status.hidden = false;
      status.textContent = STRINGS.working;
      setBusy(+1);
      try {
        for (const file of files) {
          if (hashes.length >= max) { status.textContent = STRINGS.limit(max); break; }
          try {
            const photo = await takePhoto(file);
            if (!hashes.includes(photo.sha)) hashes = [...hashes, photo.sha];
            onChange(hashes);
            await paint();
          } catch (error) {
            status.textContent = STRINGS.failed(error.message || error);
            return;
          }
        }
        if (status.textContent === STRINGS.working) status.hidden = true;
      } finally {
        setBusy(-1);
      }
    });
    return h('label', { class: 'button' + (capture ? ' primary' : '') }, capture ? STRINGS.camera : STRINGS.gallery, input);
  };

  const setBusy = (step) => {
    working += step;
    field.dataset.busy = working > 0 ? 'true' : 'false';
    onBusy(working > 0);
  };
  const paint = async () => {
    const tiles = [];
    for (const sha of hashes) {
      const photo = await get('photos', sha);
      if (!photo) continue;
      const warning = warn(photo);
      tiles.push(photoTile(photo, warning ? h('div', { class: 'warn', role: 'note' }, warning) : null, h('button', { type: 'button', class: 'remove', 'aria-label': STRINGS.remove, onclick: async () => {
        if (!(await confirmDialog(STRINGS.confirmRemove, { ok: STRINGS.removeOk, danger: true }))) return;
        hashes = hashes.filter((x) => x !== sha);
        onChange(hashes.length ? hashes : undefined);
        paint();
      } }, '×')));
    }
    clear(thumbs, tiles);
  };
  const field = h('div', { dataset: { busy: 'false' } }, h('div', { class: 'photo-actions' }, picker(true), picker(false)), status, thumbs);
  Object.defineProperty(field, 'busy', { get: () => working > 0 });
  paint();
  return field;
}

// One stored photo as a tile with its stamp; tapping opens it.
function photoTile(photo, ...extra) {
  const url = URL.createObjectURL(new Blob([photo.bytes], { type: photo.type }));
  return h('div', { class: 'thumb', dataset: { sha: photo.sha } },
    h('img', { src: url, alt: '', onload: () => setTimeout(() => URL.revokeObjectURL(url), 0) }),
    h('button', { type: 'button', class: 'open', 'aria-label': STRINGS.open, onclick: () => openViewer(photo) }),
    h('div', { class: 'stamp' }, stampText(photo)), ...extra);
}

// Read-only thumbnails of the photos among `hashes` this phone holds: {el, shown}.
export async function storedThumbs(hashes) {
  const photos = (await Promise.all(hashes.map((sha) => get('photos', sha)))).filter(Boolean);
  return { el: h('div', { class: 'thumbs' }, photos.map((photo) => photoTile(photo))), shown: photos.length };
}

// The photos among `hashes`: the phone's own copy, else (online) the server's display copy.
// {el, shown, missing}: `missing` were neither on the phone nor to be had from the server.
export async function photoGallery(hashes) {
  const tiles = [];
  let missing = 0;
  for (const sha of hashes) {
    const photo = await get('photos', sha);
    if (photo) { tiles.push(photoTile(photo)); continue; }
    const blob = navigator.onLine ? await photoCopy(sha, 'display') : null;
    if (!blob) { missing += 1; continue; }
    const url = URL.createObjectURL(blob);
    tiles.push(h('div', { class: 'thumb remote', dataset: { sha, source: 'server' } },
      h('img', { src: url, alt: '' }),
      h('button', { type: 'button', class: 'open', 'aria-label': STRINGS.open, onclick: () => openRemote(url) }),
      h('div', { class: 'stamp' }, STRINGS.fromServer)));
  }
  return { el: h('div', { class: 'thumbs' }, tiles), shown: tiles.length, missing };
}

function openRemote(url) {
  const viewer = h('div', { class: 'viewer', id: 'photo-viewer', role: 'dialog', 'aria-modal': 'true' },
    h('div', { class: 'frame' }, h('img', { src: url, alt: '' })),
    h('div', { class: 'info' }, h('p', {}, STRINGS.fromServer),
      h('button', { type: 'button', class: 'primary', onclick: () => viewer.remove() }, STRINGS.close)));
  document.body.append(viewer);
}

export function openViewer(photo) {
  const url = URL.createObjectURL(new Blob([photo.bytes], { type: photo.type }));
  const close = () => { URL.revokeObjectURL(url); viewer.remove(); };
  const viewer = h('div', { class: 'viewer', id: 'photo-viewer', role: 'dialog', 'aria-modal': 'true' },
    h('div', { class: 'frame' }, h('img', { src: url, alt: '' }), h('div', { class: 'stamp' }, stampText(photo))),
    h('div', { class: 'info' },
      h('p', {}, STRINGS.size(photo)),
      h('p', {}, `${STRINGS.timeSource[photo.time_source]} · ${STRINGS.placeSource[photo.place_source]}`),
      h('p', {}, STRINGS.stored),
      h('button', { type: 'button', class: 'primary', onclick: close }, STRINGS.close)));
  document.body.append(viewer);
}
