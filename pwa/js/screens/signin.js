import { h, clear } from '../dom.js';
import { setNewPassword, signIn } from '../session.js';

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
  newTitle: '设置新密码',
  newHelp: '您用的是管理员给的临时密码，它只能用来设置新密码。请设置一个只有您知道的新密码（至少 8 位）。',
  newPassword: '新密码',
  newAgain: '再次输入新密码',
  newSubmit: '设置新密码并登录',
  tooShort: '新密码至少 8 位',
  differ: '两次输入的新密码不一致',
};

export async function render(root, params, { onSignedIn }) {
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const username = h('input', { name: 'username', autocomplete: 'username', autocapitalize: 'none', required: true });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const newPassword = h('input', { name: 'new_password', type: 'password', autocomplete: 'new-password' });
  const newAgain = h('input', { name: 'new_password_again', type: 'password', autocomplete: 'new-password' });
  const passwordField = h('label', { class: 'field' }, h('span', {}, STRINGS.password), password);
  const newFields = h('div', { class: 'new-password', hidden: true },
    h('h2', {}, STRINGS.newTitle), h('p', { class: 'muted' }, STRINGS.newHelp),
    h('label', { class: 'field' }, h('span', {}, STRINGS.newPassword), newPassword),
    h('label', { class: 'field' }, h('span', {}, STRINGS.newAgain), newAgain));
  const submit = h('button', { type: 'submit', class: 'primary wide' }, STRINGS.submit);
  let changing = false;  // the one-time password was accepted for a change of password only

  const fail = (message) => {
    error.textContent = message;
    error.hidden = false;
    submit.disabled = false;
    submit.textContent = changing ? STRINGS.newSubmit : STRINGS.submit;
  };
  const form = h('form', { class: 'signin card', onsubmit: async (event) => {
    event.preventDefault();
    error.hidden = true;
    if (changing && newPassword.value.length < 8) return fail(STRINGS.tooShort);
    if (changing && newPassword.value !== newAgain.value) return fail(STRINGS.differ);
    submit.disabled = true;
    submit.textContent = STRINGS.busy;
    try {
      if (changing) await setNewPassword(username.value.trim(), password.value, newPassword.value);
      else await signIn(username.value.trim(), password.value);
      await onSignedIn();
    } catch (failure) {
      if (failure.code === 'auth.password_change_required') {
        changing = true;
        username.readOnly = true;
        passwordField.hidden = true;
        newFields.hidden = false;
        newPassword.focus();
        submit.disabled = false;
        submit.textContent = STRINGS.newSubmit;
        return undefined;
      }
      if (failure.code === 'auth.password_expired') {  // start again with a fresh one-time password
        changing = false;
        username.readOnly = false;
        passwordField.hidden = false;
        newFields.hidden = true;
        password.value = '';
      }
      fail(failure.status === 0 ? STRINGS.offline : failure.message || STRINGS.failed);
    }
    return undefined;
  } },
  h('img', { class: 'logo', src: '/app/icons/icon.svg', alt: '' }),
  h('h1', {}, STRINGS.title),
  h('p', { class: 'muted' }, STRINGS.subtitle),
  h('label', { class: 'field' }, h('span', {}, STRINGS.username), username),
  passwordField, newFields,
  error, submit,
  h('p', { class: 'muted' }, STRINGS.help));
  clear(root, form);
}
