// The signed-in user, kept on the phone so the app opens signed in without signal.
import { api } from './api.js';
import { atomically, kv } from './db.js';

export async function currentSession() {
  return kv.get('session');
}

export async function signIn(username, password) {
  const { data } = await api.signIn(username, password);
  const previous = await kv.get('session');
  if (previous && previous.user.id !== data.user.id) {
    // Another person's buildings must not show; their unsent work stays in the outbox.
    await atomically(['buildings', 'findings', 'observations', 'kv'], (stores) => {
      for (const name of ['buildings', 'findings', 'observations']) stores[name].clear();
      stores.kv.delete('cursor');
    });
  }
  const session = { token: data.token, expires_at: data.expires_at, user: data.user };
  await kv.set('session', session);
  return session;
}

export async function signOut() {
  await kv.remove('session');
}
