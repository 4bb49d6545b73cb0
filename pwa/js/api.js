// Talking to the server. Every failure becomes an ApiFailure that says whether to retry
// (network errors, 408, 429, 5xx — GUIDE §3) and, if the server said so, how long to wait.
import { kv } from './db.js';

export class ApiFailure extends Error {
  constructor(message, { status = 0, code = null, retryable = false, retryAfterMs = 0 } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryable = retryable;
    this.retryAfterMs = retryAfterMs;
  }
}

const RETRYABLE = (status) => status === 0 || status === 408 || status === 429 || status >= 500;

function retryAfterMs(header) {
  if (!header) return 0;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const when = Date.parse(header);
  return Number.isFinite(when) ? Math.max(0, when - Date.now()) : 0;
}

export async function request(method, path, { json, body, contentType, token } = {}) {
  const headers = {};
  const bearer = token === undefined ? (await kv.get('session'))?.token : token;
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  if (json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  } else if (contentType) {
    headers['Content-Type'] = contentType;
  }
  let response;
  try {
    response = await fetch(path, { method, headers, body, cache: 'no-store' });
  } catch (error) {
    throw new ApiFailure('网络不可用', { retryable: true });
  }
  let data = null;
  const text = await response.text().catch(() => '');
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (response.status === 401 && bearer) {
    // The token expired or was revoked: sign in again. Drafts, outbox and photos stay.
    await kv.remove('session');
    window.dispatchEvent(new CustomEvent('loujian:signed-out'));
  }
  if (!response.ok) {
    const error = data && data.error;
    const message = (error && error.message) || `服务器返回 ${response.status}`;
    throw new ApiFailure(message, {
      status: response.status,
      code: error ? error.code : null,
      retryable: RETRYABLE(response.status),
      retryAfterMs: retryAfterMs(response.headers.get('Retry-After')),
    });
  }
  return { status: response.status, data };
}

export const api = {
  signIn: (username, password) =>
    request('POST', '/api/auth/token', { json: { username, password, label: '楼检手机端' }, token: null }),
  forms: () => request('GET', '/api/forms', { token: null }),
  form: (id) => request('GET', `/api/forms/${encodeURIComponent(id)}`, { token: null }),
  changePassword: (username, password, newPassword) =>
    request('POST', '/api/auth/password', {
      json: { username, password, new_password: newPassword, label: '楼检手机端' }, token: null }),
  me: () => request('GET', '/api/me'),
  pull: (cursor, deviceId, scope, version) => {
    const extra = (scope !== undefined && scope !== null ? `&scope=${encodeURIComponent(scope)}` : '')
      + (version ? `&app_version=${encodeURIComponent(version.slice(0, 40))}` : '');
    return request('GET', `/api/sync/pull?cursor=${encodeURIComponent(cursor)}&limit=500&device_id=${deviceId}${extra}`);
  },
  push: (deviceId, operations) => request('POST', '/api/sync/push', { json: { device_id: deviceId, operations } }),
  checkPhotos: (hashes) => request('POST', '/api/photos/check', { json: { hashes } }),
  submission: (uuid) => request('GET', `/api/submissions/${encodeURIComponent(uuid)}`),
  uploadPhoto: (photo) => {
    const query = new URLSearchParams();
    // The phone's own claim (its clock and position when the photo came in), beside the EXIF
    // the file carries; a photo kept by an older release has only the merged record.
    const own = 'device_at' in photo;
    const at = own ? photo.device_at : photo.captured_at;
    const [lat, lon] = own ? [photo.device_latitude, photo.device_longitude] : [photo.latitude, photo.longitude];
    if (at) query.set('captured_at', at);
    if (lat != null && lon != null) { query.set('latitude', String(lat)); query.set('longitude', String(lon)); }
    if (typeof photo.original_exif === 'boolean') query.set('original_exif', String(photo.original_exif));
    return request('PUT', `/api/photos/${photo.sha}?${query}`, { body: photo.bytes, contentType: photo.type });
  },
};

// A photo's bytes from the server (size: thumb | display | original) as a Blob; null when it
// cannot be had (offline, not there yet, not this user's to see).
export async function photoCopy(sha, size = 'display') {
  const bearer = (await kv.get('session'))?.token;
  try {
    const response = await fetch(`/api/photos/${encodeURIComponent(sha)}?size=${size}`,
      { headers: bearer ? { Authorization: `Bearer ${bearer}` } : {} });
    return response.ok ? await response.blob() : null;
  } catch {
    return null;
  }
}
