import { h, clear } from '../dom.js';
import { signIn } from '../session.js';

const STRINGS = {
  title: '楼检',
  subtitle: '城市体检 · 住房楼栋调查',
  username: '用户名',
  password: '密码',
  submit: '登录',
  busy: '正在登录…',
  offline: '首次登录需要联网。登录后，没有信号也能继续调查。',
  failed: '登录失败',
  help: '登录一次后，楼栋资料和调查表会保存在手机上。',
};

export async function render(root, params, { onSignedIn }) {
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const username = h('input', { name: 'username', autocomplete: 'username', autocapitalize: 'none', required: true });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button', { type: 'submit', class: 'primary wide' }, STRINGS.submit);
  const form = h('form', { class: 'signin card', onsubmit: async (event) => {
    event.preventDefault();
    error.hidden = true;
    submit.disabled = true;
    submit.textContent = STRINGS.busy;
    try {
      await signIn(username.value.trim(), password.value);
      await onSignedIn();
    } catch (failure) {
      error.textContent = failure.status === 0 ? STRINGS.offline : failure.message || STRINGS.failed;
      error.hidden = false;
      submit.disabled = false;
      submit.textContent = STRINGS.submit;
    }
  } },
  h('img', { class: 'logo', src: '/app/icons/icon.svg', alt: '' }),
  h('h1', {}, STRINGS.title),
  h('p', { class: 'muted' }, STRINGS.subtitle),
  h('label', { class: 'field' }, h('span', {}, STRINGS.username), username),
  h('label', { class: 'field' }, h('span', {}, STRINGS.password), password),
  error, submit,
  h('p', { class: 'muted' }, STRINGS.help));
  clear(root, form);
}
