// The EXIF the phone writes back into a shrunk photo reads back as the facts it was given.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { readExif } from '../../pwa/js/exif.js';
import { withExif } from '../../pwa/js/exif-write.js';

// What canvas.toBlob gives: SOI, a JFIF APP0, then (here, stand-in) image data and EOI.
const JFIF = [0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0];
const canvasJpeg = () => Uint8Array.from([0xff, 0xd8, ...JFIF, 0xff, 0xda, 0, 2, 1, 2, 3, 0xff, 0xd9]).buffer;
const FACTS = { takenAt: '2024-07-01T09:30:05+08:00', latitude: 35.141806, longitude: 111.220069,
  make: 'HUAWEI', model: 'ALN-AL00' };

function tiffOf(buffer) {
  const bytes = new Uint8Array(buffer);
  const at = bytes.findIndex((b, i) => b === 0xff && bytes[i + 1] === 0xe1);
  return new DataView(buffer, at + 10);
}

test('capture time with its zone, place and camera read back as written', () => {
  const back = readExif(withExif(canvasJpeg(), FACTS));
  assert.equal(back.takenAt, FACTS.takenAt);
  assert.ok(Math.abs(back.latitude - FACTS.latitude) < 1e-7);
  assert.ok(Math.abs(back.longitude - FACTS.longitude) < 1e-7);
  assert.equal(back.make, 'HUAWEI');
  assert.equal(back.model, 'ALN-AL00');
});

test('southern and western positions keep their sign', () => {
  const back = readExif(withExif(canvasJpeg(), { takenAt: null, latitude: -33.8688, longitude: -70.6693 }));
  assert.ok(Math.abs(back.latitude + 33.8688) < 1e-7 && Math.abs(back.longitude + 70.6693) < 1e-7);
  assert.equal(back.takenAt, null);
});

test('a time without a zone is written without OffsetTimeOriginal', () => {
  assert.equal(readExif(withExif(canvasJpeg(), { takenAt: '2024-07-01T09:30:05' })).takenAt, '2024-07-01T09:30:05');
});

test('an original without EXIF facts gives the JPEG unchanged, with no EXIF', () => {
  const out = withExif(canvasJpeg(), { takenAt: null, latitude: null, longitude: null, make: null, model: null });
  assert.deepEqual(new Uint8Array(out), new Uint8Array(canvasJpeg()));
  assert.deepEqual(readExif(out), { takenAt: null, latitude: null, longitude: null, make: null, model: null });
});

test('the segment goes after JFIF and every other byte is kept', () => {
  const input = new Uint8Array(canvasJpeg());
  const out = new Uint8Array(withExif(input.buffer, FACTS));
  assert.deepEqual([...out.subarray(20, 22)], [0xff, 0xe1]);
  const length = (out[22] << 8) | out[23];
  const rest = [...out.subarray(0, 20), ...out.subarray(22 + length)];
  assert.deepEqual(rest, [...input]);
});

test('orientation is 1 and there is no second IFD (no thumbnail)', () => {
  const tiff = tiffOf(withExif(canvasJpeg(), FACTS));
  const ifd0 = tiff.getUint32(4);
  const n = tiff.getUint16(ifd0);
  const tags = Array.from({ length: n }, (_, i) => tiff.getUint16(ifd0 + 2 + 12 * i));
  assert.deepEqual(tags, [...tags].sort((a, b) => a - b));
  const orientation = tags.indexOf(0x0112);
  assert.equal(tiff.getUint16(ifd0 + 2 + 12 * orientation + 8), 1);
  assert.equal(tiff.getUint32(ifd0 + 2 + 12 * n), 0);
});

test('camera names are cut to printable ASCII, at most 63 characters', () => {
  const back = readExif(withExif(canvasJpeg(), { make: '<b>华为</b>\u0007', model: 'x'.repeat(500) }));
  assert.equal(back.make, '<b></b>');
  assert.equal(back.model, 'x'.repeat(63));
});

test('bytes that are not a JPEG are refused', () => {
  assert.throws(() => withExif(Uint8Array.from([0x89, 0x50, 0x4e, 0x47]).buffer, FACTS));
});
