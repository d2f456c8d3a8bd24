import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readZip } from '../../bench/zip';
import { appendToZip, crc32 } from '../../infra/plugins/archive.js';
import { PASSWORD_HASHING_FUNCTIONS } from '../../infra/native-modules.js';
import NativePackages from '../../infra/plugins/native-packages.js';
import type { ServerlessFunction } from '../../infra/types';

const EMPTY_ZIP = Buffer.from([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)]);

describe('zip appending for the native packages plugin', () => {
  it('computes the standard CRC-32 (check value of "123456789")', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('appends deflated files that a zip reader gets back byte for byte, and never adds a name twice', () => {
    const binary = Buffer.from(Array.from({ length: 70_000 }, (_, index) => (index * 31) % 251));
    const first = appendToZip(EMPTY_ZIP, [
      ['handlers/login.js', Buffer.from('exports.handler = 1;')],
      ['node_modules/pkg/native.node', binary],
    ]);
    const second = appendToZip(first, [
      ['handlers/login.js', Buffer.from('something else')],
      ['node_modules/pkg/package.json', Buffer.from('{"main":"native.node"}')],
    ]);
    const directory = mkdtempSync(join(tmpdir(), 'zip-append-'));
    try {
      writeFileSync(join(directory, 'a.zip'), second);
      const files = readZip(join(directory, 'a.zip'));
      expect([...files.keys()]).toEqual(['handlers/login.js', 'node_modules/pkg/native.node', 'node_modules/pkg/package.json']);
      expect(files.get('handlers/login.js')!.toString()).toBe('exports.handler = 1;');
      expect(files.get('node_modules/pkg/native.node')!.equals(binary)).toBe(true);
      expect(appendToZip(second, [['handlers/login.js', Buffer.from('again')]])).toBe(second);
      expect(readFileSync(join(directory, 'a.zip')).length).toBe(second.length);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('reads the machine of a 64-bit little-endian ELF and nothing else', () => {
    const elf = Buffer.alloc(64);
    elf.write('\x7fELF', 0, 'latin1');
    elf[4] = 2;
    elf[5] = 1;
    elf.writeUInt16LE(0xb7, 18);
    expect(NativePackages.elfMachine(elf)).toBe(0xb7);
    const elf32 = Buffer.from(elf);
    elf32[4] = 1;
    expect(NativePackages.elfMachine(elf32)).toBeUndefined();
    expect(NativePackages.elfMachine(Buffer.from('#!/bin/sh\necho not a binary\n'))).toBeUndefined();
  });
});

describe('native packages plugin guards (before anything is fetched)', () => {
  const serverlessWith = (functions: Record<string, ServerlessFunction>, architecture = 'arm64') => ({
    serviceDir: '/nonexistent',
    service: { functions, provider: { architecture, compiledCloudFormationTemplate: { Resources: {} } } },
  });
  const packaged = { package: { artifact: '.serverless/x.zip' } };

  // Every function that hashes, packaged, so each test breaks exactly one rule.
  const all = () => Object.fromEntries(PASSWORD_HASHING_FUNCTIONS.map((fn) => [fn, packaged])) as Record<string, ServerlessFunction>;

  it('refuses a listed function that serverless.yml does not define (a typo would ship no binary)', () => {
    const { register: _missing, ...withoutRegister } = all();
    const plugin = new NativePackages(serverlessWith(withoutRegister), {});
    expect(() => plugin.addToArtifacts()).toThrow(/lists register for @node-rs\/argon2-linux-arm64-gnu, but serverless.yml has no such function/);
  });

  it('refuses to put the arm64 build into a function that runs on x86_64', () => {
    const plugin = new NativePackages(serverlessWith({ ...all(), register: { ...packaged, architecture: 'x86_64' } }), {});
    expect(() => plugin.addToArtifacts()).toThrow(/register runs on x86_64, but @node-rs\/argon2-linux-arm64-gnu is an arm64 build/);
  });
});
