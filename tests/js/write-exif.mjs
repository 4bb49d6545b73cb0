// For Python tests: node tests/js/write-exif.mjs IN.jpg OUT.jpg '{"takenAt": …}' runs the phone's
// EXIF writer (pwa/js/exif-write.js) on a JPEG file, and prints what the phone's reader reads back.
import { readFileSync, writeFileSync } from 'node:fs';

import { readExif } from '../../pwa/js/exif.js';
import { withExif } from '../../pwa/js/exif-write.js';

const [input, output, facts] = process.argv.slice(2);
const bytes = readFileSync(input);
const written = withExif(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), JSON.parse(facts));
writeFileSync(output, new Uint8Array(written));
process.stdout.write(JSON.stringify(readExif(written)));
