// The signed-in user, kept on the phone so the app opens signed in without signal.
import { api } from './api.js';
import { atomically, kv } from './db.js';

export async function currentSession() {
  return kv.get('session');
}

export async function signIn(username, password) {
  const { data } = await api.signIn(username, password);
  return keep(data);
}

// A one-time password (from the administrator) opens only this: a new password, then signed in.
export async function setNewPassword(username, password, newPassword) {
  const { data } = await api.changePassword(username, password, newPassword);
  return keep(data);
}

async function keep(data) {
  const previous = await kv.get('session');
  if (previous && previous.user.id !== data.user.id) {
    // Another person's buildings must not show; their unsent work stays in the outbox.
    await atomically(['buildings', 'findings', 'observations', 'kv'], (stores) => {
      for (const name of ['buildings', 'findings', 'observations']) stores[name].clear();
      stores.kv.delete('cursor');
      stores.kv.delete('scope');
    });
  }
  const session = { token: data.token, expires_at: data.expires_at, user: data.user };
  await kv.set('session', session);
  return session;
}

export async function signOut() {
  await kv.remove('session');
}
