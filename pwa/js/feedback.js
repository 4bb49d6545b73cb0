// Telling the worker something where they are looking: a toast beside the button they pressed
// (it stays put while the screen changes underneath), and a confirm dialog in Chinese that is
// part of the page (a native confirm() shows the browser's own words and the server address).
import { h } from './dom.js';

const STRINGS = { ok: '确定', cancel: '取消' };
const TOAST_MS = 2600;

// A short message just above `anchor` (the button pressed), or near the bottom without one.
export function toast(message, anchor = null) {
  document.getElementById('toast')?.remove();
  const el = h('div', { id: 'toast', class: 'toast', role: 'status', 'aria-live': 'polite' }, message);
  const box = anchor?.getBoundingClientRect();
  if (box && box.height) {
    const top = Math.min(Math.max(box.top - 56, 8), window.innerHeight - 140);
    el.style.top = `${top}px`;
  } else {
    el.style.bottom = 'calc(84px + env(safe-area-inset-bottom))';
  }
  document.body.append(el);
  setTimeout(() => el.remove(), TOAST_MS);
  return el;
}

// Resolves true when the worker confirms, false when they cancel (or tap outside).
export function confirmDialog(message, { ok = STRINGS.ok, cancel = STRINGS.cancel, danger = false } = {}) {
  return new Promise((resolve) => {
    const answer = (value) => { overlay.remove(); resolve(value); };
    const overlay = h('div', { class: 'dialog-overlay', onclick: (event) => { if (event.target === overlay) answer(false); } },
      h('div', { class: 'dialog', id: 'confirm-dialog', role: 'alertdialog', 'aria-modal': 'true', 'aria-labelledby': 'confirm-text' },
        h('p', { id: 'confirm-text' }, message),
        h('div', { class: 'dialog-actions' },
          h('button', { type: 'button', class: 'cancel', onclick: () => answer(false) }, cancel),
          h('button', { type: 'button', class: danger ? 'primary danger ok' : 'primary ok', onclick: () => answer(true) }, ok))));
    document.body.append(overlay);
    overlay.querySelector('button.cancel').focus();
  });
}
