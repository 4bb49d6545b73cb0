// A photo from the camera or the gallery: capture time and place read first (EXIF, else the
// phone at capture), then shrunk on the phone (long edge ≤ 2048 px, JPEG ~0.8; the browser
// applies the EXIF orientation when it decodes, so nothing is rotated twice), the original's
// EXIF facts written back into the shrunk copy (exif-write.js), hashed, and kept as an
// ArrayBuffer in IndexedDB until the server holds it.
//
// Two records are kept apart: what the file says (captured_at/latitude/longitude: EXIF, else
// the phone; used for the stamp) and what the phone itself saw when the photo came in
// (device_at/device_latitude/device_longitude). The upload sends the latter as the phone's
// claim, so the desk can compare it with the EXIF the file carries.
import { put } from './db.js';
import { readExif } from './exif.js';
import { withExif } from './exif-write.js';
import { sha256Hex } from './sha256.js';

const LONG_EDGE = 2048;
const QUALITY = 0.8;
const LOWEST_QUALITY = 0.5;
const TARGET_BYTES = 500 * 1024; // a detailed scene at 0.8 can exceed it: step the quality down
const EXIF_ROOM = 1024; // the EXIF segment written after encoding is a few hundred bytes
const POSITION_TIMEOUT_MS = 4000;

export async function takePhoto(file) {
  const addedAt = new Date();
  const original = await file.arrayBuffer();
  const exif = readExif(original);
  const [position, shrunk] = await Promise.all([devicePosition(), shrink(file)]);
  const takenAt = exif.takenAt ? withZone(exif.takenAt) : null;
  const bytes = withExif(shrunk.bytes, { ...exif, takenAt });
  const place = exif.latitude != null ? exif : position;
  const photo = {
    sha: await sha256Hex(bytes), bytes, type: 'image/jpeg', width: shrunk.width, height: shrunk.height,
    size: bytes.byteLength, original_size: original.byteLength,
    captured_at: takenAt || isoWithZone(addedAt),
    time_source: takenAt ? 'exif' : 'device',
    latitude: place ? round6(place.latitude) : null,
    longitude: place ? round6(place.longitude) : null,
    place_source: exif.latitude != null ? 'exif' : position ? 'device' : null,
    device_at: isoWithZone(addedAt),
    device_latitude: position ? round6(position.latitude) : null,
    device_longitude: position ? round6(position.longitude) : null,
    original_exif: Boolean(exif.takenAt || exif.latitude != null), // false: a screenshot, a forwarded copy…
    created_at: addedAt.toISOString(),
  };
  await put('photos', photo);
  return photo;
}

async function shrink(file) {
  const url = URL.createObjectURL(file);
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    const scale = Math.min(1, LONG_EDGE / Math.max(image.naturalWidth, image.naturalHeight));
    const width = Math.round(image.naturalWidth * scale);
    const height = Math.round(image.naturalHeight * scale);
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    canvas.getContext('2d').drawImage(image, 0, 0, width, height);
    const encode = (quality) => new Promise((resolve, reject) =>
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('照片压缩失败'))), 'image/jpeg', quality));
    let quality = QUALITY;
    let blob = await encode(quality);
    while (blob.size > TARGET_BYTES - EXIF_ROOM && quality > LOWEST_QUALITY + 0.01) {
      quality -= 0.1;
      blob = await encode(quality);
    }
    return { bytes: await blob.arrayBuffer(), width, height };
  } finally {
    URL.revokeObjectURL(url);
  }
}

function devicePosition() {
  if (!navigator.geolocation) return Promise.resolve(null);
  return new Promise((resolve) => {
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ latitude: p.coords.latitude, longitude: p.coords.longitude }),
      () => resolve(null),
      { enableHighAccuracy: true, timeout: POSITION_TIMEOUT_MS, maximumAge: 60000 });
    setTimeout(() => resolve(null), POSITION_TIMEOUT_MS + 500);
  });
}

const round6 = (x) => Math.round(x * 1e6) / 1e6;
const pad = (n) => String(Math.abs(n)).padStart(2, '0');

function zoneOf(date) {
  const minutes = -date.getTimezoneOffset();
  return `${minutes >= 0 ? '+' : '-'}${pad(Math.trunc(minutes / 60))}:${pad(minutes % 60)}`;
}

// A moment as the phone's local time with its zone, e.g. 2024-07-01T09:30:00+08:00.
export function isoWithZone(date) {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}${zoneOf(date)}`;
}

// EXIF time without a zone is the phone's local time: give it the phone's zone.
function withZone(local) {
  return /[+-]\d{2}:\d{2}$/.test(local) ? local : local + zoneOf(new Date(local));
}

export function stampText(photo) {
  const time = (photo.captured_at || '').slice(0, 16).replace('T', ' ');
  const place = photo.latitude != null
    ? `${Math.abs(photo.latitude).toFixed(5)}°${photo.latitude >= 0 ? 'N' : 'S'} ${Math.abs(photo.longitude).toFixed(5)}°${photo.longitude >= 0 ? 'E' : 'W'}`
    : '无定位';
  return `${time} · ${place}`;
}
