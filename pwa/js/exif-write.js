// Puts the camera original's facts back into the JPEG the canvas made (which has no EXIF): one
// APP1 segment with Make/Model, Orientation = 1 (the canvas drew the pixels upright),
// DateTimeOriginal + OffsetTimeOriginal and the GPS position. No thumbnail (no IFD1).
// facts: {takenAt: 'YYYY-MM-DDTHH:MM:SS+08:00' | null, latitude, longitude, make, model}.
// Nothing to say (no time, place or camera) → the JPEG is returned unchanged, without EXIF.
import { DATE_TIME_ORIGINAL, EXIF_POINTER, GPS_POINTER, MAKE, MODEL, OFFSET_TIME_ORIGINAL, ORIENTATION } from './exif.js';

const ASCII = 2;
const SHORT = 3;
const LONG = 4;
const RATIONAL = 5;
const BYTE = 1;

export function hasFacts(facts) {
  return Boolean(facts && (facts.takenAt || facts.latitude != null || facts.make || facts.model));
}

export function withExif(jpeg, facts) {
  const bytes = new Uint8Array(jpeg);
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) throw new Error('不是 JPEG');
  if (!hasFacts(facts)) return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const app1 = segment(tiff(facts));
  // After SOI and a leading JFIF APP0 (what canvas writes), before everything else.
  let at = 2;
  if (bytes[2] === 0xff && bytes[3] === 0xe0) at = 4 + ((bytes[4] << 8) | bytes[5]);
  const out = new Uint8Array(bytes.length + app1.length);
  out.set(bytes.subarray(0, at), 0);
  out.set(app1, at);
  out.set(bytes.subarray(at), at + app1.length);
  return out.buffer;
}

function segment(body) {
  const length = 2 + 6 + body.length; // the length field counts itself and "Exif\0\0"
  if (length > 0xffff) throw new Error('EXIF 过大');
  return Uint8Array.from([0xff, 0xe1, length >> 8, length & 0xff, 0x45, 0x78, 0x69, 0x66, 0, 0, ...body]);
}

// Big-endian TIFF: header, IFD0, then the EXIF and GPS IFDs, each followed by its longer values.
function tiff({ takenAt, latitude, longitude, make, model }) {
  const ifd0 = [];
  if (make) ifd0.push(ascii(MAKE, make));
  if (model) ifd0.push(ascii(MODEL, model));
  ifd0.push({ tag: ORIENTATION, type: SHORT, count: 1, value: [0, 1, 0, 0] });
  const subs = [];
  const match = takenAt && /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})([+-]\d{2}:\d{2})?/.exec(takenAt);
  if (match) {
    const exif = [ascii(DATE_TIME_ORIGINAL, `${match[1]}:${match[2]}:${match[3]} ${match[4]}:${match[5]}:${match[6]}`)];
    if (match[7]) exif.push(ascii(OFFSET_TIME_ORIGINAL, match[7]));
    subs.push([EXIF_POINTER, exif]);
  }
  if (Number.isFinite(latitude) && Number.isFinite(longitude)) {
    subs.push([GPS_POINTER, [
      { tag: 0x0000, type: BYTE, count: 4, value: [2, 3, 0, 0] },
      ascii(0x0001, latitude < 0 ? 'S' : 'N'), dms(0x0002, latitude),
      ascii(0x0003, longitude < 0 ? 'W' : 'E'), dms(0x0004, longitude)]]);
  }
  // Layout: sizes first, so the pointers in IFD0 are known before it is written.
  const size = (entries) => 6 + 12 * entries.length
    + entries.reduce((sum, e) => sum + (e.value.length > 4 ? e.value.length + (e.value.length & 1) : 0), 0);
  let next = 8 + size(ifd0) + 12 * subs.length;
  const placed = subs.map(([tag, entries]) => {
    const at = next;
    next += size(entries);
    return { tag, entries, at };
  });
  for (const { tag, at } of placed) ifd0.push({ tag, type: LONG, count: 1, value: u32(at) });
  ifd0.sort((a, b) => a.tag - b.tag);
  const out = new Uint8Array(next);
  out.set([0x4d, 0x4d, 0, 42, ...u32(8)], 0);
  writeIfd(out, 8, ifd0);
  for (const { entries, at } of placed) writeIfd(out, at, entries);
  return out;
}

function writeIfd(out, at, entries) {
  const view = new DataView(out.buffer);
  view.setUint16(at, entries.length);
  let data = at + 2 + 12 * entries.length + 4; // next-IFD offset stays 0: no thumbnail
  entries.forEach(({ tag, type, count, value }, i) => {
    const entry = at + 2 + 12 * i;
    view.setUint16(entry, tag);
    view.setUint16(entry + 2, type);
    view.setUint32(entry + 4, count);
    if (value.length <= 4) {
      out.set(value, entry + 8);
    } else {
      view.setUint32(entry + 8, data);
      out.set(value, data);
      data += value.length + (value.length & 1); // values start on a word boundary
    }
  });
}

function ascii(tag, text) {
  // Printable ASCII only (EXIF's ASCII type), at most 63 characters, NUL-terminated.
  const clean = String(text).replace(/[^\x20-\x7e]/g, '').slice(0, 63);
  const value = [...clean].map((c) => c.charCodeAt(0));
  value.push(0);
  return { tag, type: ASCII, count: value.length, value };
}

// Degrees, minutes and seconds as rationals; seconds to 1/10000″ (about 3 mm).
function dms(tag, degrees) {
  const total = Math.round(Math.abs(degrees) * 3600 * 10000);
  const d = Math.floor(total / 36e6);
  const m = Math.floor((total % 36e6) / 6e5);
  const s = total % 6e5;
  return { tag, type: RATIONAL, count: 3, value: [...u32(d), ...u32(1), ...u32(m), ...u32(1), ...u32(s), ...u32(10000)] };
}

function u32(n) {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}
