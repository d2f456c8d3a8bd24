'use strict';
// @ts-check
/**
 * Just enough of tar and zip, without a dependency, for infra/plugins/native-packages.js: read
 * files out of an npm tarball, and append files to a zip that `serverless package` wrote.
 */
const { deflateRawSync, gunzipSync } = require('node:zlib');

/**
 * The regular files of a .tgz, by path (npm tarballs put everything under `package/`).
 * @param {Buffer} tgz
 * @returns {Map<string, Buffer>}
 */
function readTarball(tgz) {
  const tar = gunzipSync(tgz);
  const files = new Map();
  let longName;
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    /** @type {(start: number, length: number) => string} */
    const field = (start, length) => header.toString('utf8', start, start + length).replace(/\0[\s\S]*$/, '');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1) || '0';
    const prefix = field(345, 155);
    const data = tar.subarray(offset + 512, offset + 512 + size);
    offset += 512 + Math.ceil(size / 512) * 512;
    if (type === 'x') {
      // A pax header may carry a path too long for the ustar fields.
      const path = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString('utf8'));
      longName = path ? path[1] : undefined;
      continue;
    }
    const name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    longName = undefined;
    if (type === '0') files.set(name, Buffer.from(data));
  }
  return files;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/**
 * The CRC-32 of zip entries (IEEE polynomial).
 * @param {Uint8Array} bytes
 * @returns {number}
 */
function crc32(bytes) {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

// A fixed timestamp (1980-01-01, the DOS epoch) keeps the zip, and so the function's code hash,
// the same from one packaging to the next.
const DOS_TIME = 0;
const DOS_DATE = (1 << 5) | 1;
const UNIX_REGULAR_FILE = 0o100644;

/**
 * Appends files to a zip (no ZIP64); returns the new archive. Entries already present keep their
 * content and are not added twice.
 * @param {Buffer} zip
 * @param {Iterable<[string, Buffer]>} additions entry path and content
 * @returns {Buffer}
 */
function appendToZip(zip, additions) {
  const eocd = findEndOfCentralDirectory(zip);
  const count = zip.readUInt16LE(eocd + 10);
  const directorySize = zip.readUInt32LE(eocd + 12);
  const directoryOffset = zip.readUInt32LE(eocd + 16);
  if (count === 0xffff || directoryOffset === 0xffffffff) throw new Error('ZIP64 archives are not supported');
  const present = new Set();
  for (let offset = directoryOffset, index = 0; index < count; index++) {
    const nameLength = zip.readUInt16LE(offset + 28);
    present.add(zip.toString('utf8', offset + 46, offset + 46 + nameLength));
    offset += 46 + nameLength + zip.readUInt16LE(offset + 30) + zip.readUInt16LE(offset + 32);
  }

  const locals = [];
  const centrals = [];
  let offset = directoryOffset;
  for (const [name, content] of additions) {
    if (present.has(name)) continue;
    const nameBytes = Buffer.from(name, 'utf8');
    const compressed = deflateRawSync(content, { level: 9 });
    const crc = crc32(content);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
    local.writeUInt16LE(0x0800, 6); // names are UTF-8
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(content.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, so the external attributes hold a file mode
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(content.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE((UNIX_REGULAR_FILE << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, compressed);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + compressed.length;
    present.add(name);
  }
  const added = centrals.length / 2;
  if (added === 0) return zip;
  if (offset > 0xffffffff || count + added >= 0xffff) throw new Error('the archive would need ZIP64');

  const directory = Buffer.concat([zip.subarray(directoryOffset, directoryOffset + directorySize), ...centrals]);
  const end = Buffer.from(zip.subarray(eocd));
  end.writeUInt16LE(count + added, 8);
  end.writeUInt16LE(count + added, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([zip.subarray(0, directoryOffset), ...locals, directory, end]);
}

/**
 * @param {Buffer} zip
 * @returns {number}
 */
function findEndOfCentralDirectory(zip) {
  // The record is 22 bytes plus a comment of at most 65535 bytes, at the very end.
  for (let offset = zip.length - 22; offset >= Math.max(0, zip.length - 22 - 0xffff); offset--) {
    if (zip.readUInt32LE(offset) === 0x06054b50) return offset;
  }
  throw new Error('not a zip archive (no end of central directory record)');
}

module.exports = { appendToZip, crc32, readTarball };
