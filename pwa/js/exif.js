// Reads what a phone photo's EXIF says about when and where it was taken, before the canvas
// re-encode drops it: DateTimeOriginal (+ OffsetTimeOriginal), the GPS position and the camera.
// Returns {takenAt: 'YYYY-MM-DDTHH:MM:SS[+08:00]' | null, latitude, longitude, make, model}
// (null when absent). exif-write.js puts the same facts back into the shrunk copy.
export const EXIF_POINTER = 0x8769;
export const GPS_POINTER = 0x8825;
export const DATE_TIME_ORIGINAL = 0x9003;
export const OFFSET_TIME_ORIGINAL = 0x9011;
export const MAKE = 0x010f;
export const MODEL = 0x0110;
export const ORIENTATION = 0x0112;

export function readExif(buffer) {
  const none = { takenAt: null, latitude: null, longitude: null, make: null, model: null };
  try {
    const tiff = findTiff(new DataView(buffer));
    return tiff ? readTiff(tiff) : none;
  } catch {
    return none; // a damaged EXIF block is no reason to refuse a photo
  }
}

function findTiff(view) {
  if (view.getUint16(0) !== 0xffd8) return null;
  let offset = 2;
  while (offset + 4 <= view.byteLength) {
    const marker = view.getUint16(offset);
    const length = view.getUint16(offset + 2);
    if (marker === 0xffe1 && view.getUint32(offset + 4) === 0x45786966) { // "Exif"
      return new DataView(view.buffer, view.byteOffset + offset + 10, length - 8);
    }
    if (marker === 0xffda || (marker & 0xff00) !== 0xff00) return null; // image data: no EXIF
    offset += 2 + length;
  }
  return null;
}

function readTiff(view) {
  const little = view.getUint16(0) === 0x4949;
  const u16 = (at) => view.getUint16(at, little);
  const u32 = (at) => view.getUint32(at, little);
  const entries = (ifd) => {
    const found = new Map();
    const n = u16(ifd);
    for (let i = 0; i < n; i += 1) {
      const at = ifd + 2 + i * 12;
      found.set(u16(at), { type: u16(at + 2), count: u32(at + 4), at: at + 8 });
    }
    return found;
  };
  const ascii = (entry) => {
    const start = entry.count > 4 ? u32(entry.at) : entry.at;
    let text = '';
    for (let i = 0; i < entry.count - 1; i += 1) text += String.fromCharCode(view.getUint8(start + i));
    return text;
  };
  const rationals = (entry) => {
    const start = u32(entry.at);
    return Array.from({ length: entry.count }, (_, i) => u32(start + i * 8) / (u32(start + i * 8 + 4) || 1));
  };
  const ifd0 = entries(u32(4));
  const result = { takenAt: null, latitude: null, longitude: null, make: null, model: null };
  for (const [tag, key] of [[MAKE, 'make'], [MODEL, 'model']]) {
    const entry = ifd0.get(tag);
    try { // a damaged camera name spoils nothing else
      const text = entry && entry.count <= 256 ? ascii(entry).replace(/\0+$/, '').trim() : '';
      if (text) result[key] = text;
    } catch { /* left null */ }
  }
  if (ifd0.has(EXIF_POINTER)) {
    const exif = entries(u32(ifd0.get(EXIF_POINTER).at));
    const original = exif.get(DATE_TIME_ORIGINAL);
    const match = original && /^(\d{4}):(\d{2}):(\d{2}) (\d{2}):(\d{2}):(\d{2})/.exec(ascii(original));
    if (match) {
      const zone = exif.has(OFFSET_TIME_ORIGINAL) ? ascii(exif.get(OFFSET_TIME_ORIGINAL)) : '';
      result.takenAt = `${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}${/^[+-]\d{2}:\d{2}$/.test(zone) ? zone : ''}`;
    }
  }
  if (ifd0.has(GPS_POINTER)) {
    const gps = entries(u32(ifd0.get(GPS_POINTER).at));
    const degrees = (ref, value) => {
      if (!gps.has(ref) || !gps.has(value)) return null;
      const [d, m, s] = rationals(gps.get(value));
      const sign = /[SW]/.test(String.fromCharCode(view.getUint8(gps.get(ref).at))) ? -1 : 1;
      return sign * (d + (m || 0) / 60 + (s || 0) / 3600);
    };
    result.latitude = degrees(1, 2);
    result.longitude = degrees(3, 4);
  }
  return result;
}
