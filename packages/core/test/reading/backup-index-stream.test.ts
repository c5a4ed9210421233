import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BackupIndexScanner,
  BackupReader,
  parseXmlDocument,
  scanBackupIndexBytes,
  scanBackupIndexFile,
  type BackupIndexEntry,
} from '../../src/index.js';
import { tempDir } from '../helpers.js';

const NS = 'http://www.microsoft.com/GroupPolicy/GPOOperations/Manifest';
const inst = (id: string, name = `GPO ${id}`) =>
  `<BackupInst><GPOGuid><![CDATA[{G-${id}}]]></GPOGuid><ID><![CDATA[{${id}}]]></ID><GPODisplayName><![CDATA[${name}]]></GPODisplayName></BackupInst>`;
const index = (...entries: string[]) =>
  `<Backups xmlns="${NS}" xmlns:mfst="${NS}" mfst:version="1.0">${entries.join('')}</Backups>`;

function scan(input: string | Uint8Array, extra: Partial<Parameters<typeof scanBackupIndexBytes>[2]> = {}) {
  const entries: BackupIndexEntry[] = [];
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const result = scanBackupIndexBytes(bytes, 'manifest.xml', {
    maxChars: 64 * 1024 * 1024,
    onEntry: (entry) => {
      entries.push(entry);
    },
    ...extra,
  });
  return { result, entries };
}

/** The same document pushed a character at a time: every piece boundary falls everywhere once. */
function scanByCharacters(text: string): BackupIndexEntry[] {
  const entries: BackupIndexEntry[] = [];
  const scanner = new BackupIndexScanner('manifest.xml', { maxChars: 1e9, onEntry: (e) => void entries.push(e) });
  for (const c of text) scanner.push(c);
  scanner.end();
  return entries;
}

const fieldsOf = (entry: BackupIndexEntry) => Object.fromEntries(entry.fields.map((f) => [f.name, f.text]));

describe('the streaming backup index reader', () => {
  it('reads each entry with its fields, the root and its attributes, as the tree reader does', () => {
    const text = index(
      inst('A', 'Räume &amp; 東京 🚀'),
      '<!-- a comment -->',
      inst('B'),
      '<Other>x &amp; &#x1F680;<Deeper>not its own</Deeper></Other>',
    );
    const { result, entries } = scan(text);
    expect(result.root).toEqual({ name: 'Backups', qualified: 'Backups', attributes: { version: '1.0' } });
    expect(result.children).toBe(3);
    expect(entries.map((e) => e.name)).toEqual(['BackupInst', 'BackupInst', 'Other']);
    expect(fieldsOf(entries[0]!)).toEqual({ GPOGuid: '{G-A}', ID: '{A}', GPODisplayName: 'Räume &amp; 東京 🚀' });
    expect(entries[2]!.text).toBe('x & 🚀');
    // The same facts as the whole-document reader.
    const tree = parseXmlDocument(text, 'manifest.xml');
    expect(tree.children.map((c) => c.children.map((f) => f.text))).toEqual(
      entries.map((e) => e.fields.map((f) => f.text)),
    );
    expect(text.slice(entries[1]!.start, entries[1]!.end)).toBe(inst('B'));
  });

  it('gives the same entries whatever the pieces it is pushed in', () => {
    const text = `<?xml version="1.0"?>\r\n${index(inst('A', 'a\r\nb'), inst('B', 'x]]y'))}\r\n`;
    expect(scanByCharacters(text).map(fieldsOf)).toEqual(scan(text).entries.map(fieldsOf));
    expect(fieldsOf(scan(text).entries[0]!).GPODisplayName).toBe('a\nb');
  });

  it('reads UTF-16 (both byte orders) and UTF-8 with a BOM', () => {
    const text = index(inst('A', 'Ünïcode'));
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]);
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
    for (const bytes of [le, be, bom]) expect(fieldsOf(scan(bytes).entries[0]!).GPODisplayName).toBe('Ünïcode');
  });

  it('refuses a DOCTYPE or an entity declaration anywhere, even split between two pieces', () => {
    const laughs = `<!DOCTYPE Backups [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>${index(inst('A', '&lol2;'))}`;
    expect(() => scan(laughs)).toThrow(expect.objectContaining({ code: 'XML_DOCTYPE_REFUSED' }));
    expect(() => scanByCharacters(`${index(inst('A'))}<!-- <!doctype x> -->`)).toThrow(
      expect.objectContaining({ code: 'XML_DOCTYPE_REFUSED' }),
    );
    expect(() => scan(index(inst('A').replace('<ID>', '<ID>&xxe;')))).toThrow(
      expect.objectContaining({ code: 'MALFORMED_XML' }),
    );
  });

  it('refuses an index over its bound before reading further', () => {
    const text = index(inst('A'), inst('B'));
    expect(() => scan(text, { maxChars: text.length - 1 })).toThrow(
      expect.objectContaining({ code: 'BACKUP_FILE_TOO_LARGE' }),
    );
    expect(scan(text, { maxChars: text.length }).entries).toHaveLength(2);
  });

  it('refuses deep nesting, an entry over 1 MiB and a piece of markup that never ends', () => {
    const deep = `<Backups>${'<a>'.repeat(300)}${'</a>'.repeat(300)}</Backups>`;
    expect(() => scan(deep)).toThrow(/nested deeper than 256/);
    const huge = index(inst('A', 'x'.repeat(1024 * 1024 + 10)));
    expect(() => scan(huge)).toThrow(/longer than 1048576 characters/);
    const unending = `<Backups><BackupInst a="${'y'.repeat(2 * 1024 * 1024)}`;
    expect(() => scan(unending)).toThrow(/longer than 1048576 characters/);
  });

  it('refuses truncated and half-written indexes', () => {
    const whole = index(inst('A'), inst('B'));
    for (const cut of [whole.length - 3, whole.length - 20, Math.floor(whole.length / 2), 10, 1]) {
      expect(() => scan(whole.slice(0, cut)), `cut at ${cut}`).toThrow(
        expect.objectContaining({ code: 'MALFORMED_XML' }),
      );
    }
    expect(() => scan('')).toThrow(/no root element/);
    // A half-written file padded with zeros (a crash between extending and writing it).
    expect(() => scan(Buffer.concat([Buffer.from(whole.slice(0, 100)), Buffer.alloc(50)]))).toThrow(/U\+0000/);
  });

  it("refuses what is not well-formed, as gpmc's scanner does", () => {
    const cases = [
      index(inst('A')).replace('</GPOGuid>', '</GPOGUID>'),
      `${index(inst('A'))}<Backups/>`,
      `${index(inst('A'))}trailing`,
      index(inst('A')).replace('<ID>', '<ID a="1" a="2">'),
      index(inst('A')).replace('<ID>', '<ID a=1>'),
      index(`<!-- a -- b -->${inst('A')}`),
      index(inst('A')).replace('<ID>', '<ID>]]>'),
      index(inst('A')).replace('<ID>', '<ID>&#0;'),
      `${index(inst('A'))}<?xml version="1.0"?>`,
      index(inst('A')).replace('<ID>', '<1ID>'),
    ];
    for (const text of cases) {
      // The checks of gpmc's scanner (which the listing read the index with), stricter than core's tree reader:
      // that one lets '--' in a comment, ']]>' in text and &#0; pass.
      expect(() => scan(text), text).toThrow(expect.objectContaining({ code: 'MALFORMED_XML' }));
    }
  });

  it('copies the document, leaving out dropped entries and inserting before the root end tag', () => {
    const text = `<?xml version="1.0"?>\r\n<mfst:Backups xmlns:mfst="${NS}">\r\n${inst('A')}\r\n${inst('B')}\r\n${inst('C')}\r\n</mfst:Backups>\r\n`;
    const out: string[] = [];
    scan(text, {
      onEntry: (entry) => (fieldsOf(entry).ID === '{B}' ? 'drop' : undefined),
      copy: { write: (piece) => void out.push(piece), beforeRootEnd: () => '<New/>' },
    });
    expect(out.join('')).toBe(text.replace(inst('B'), '').replace('</mfst:Backups>', '<New/></mfst:Backups>'));
    const byChar: string[] = [];
    const scanner = new BackupIndexScanner('m', {
      maxChars: 1e9,
      onEntry: (entry) => (fieldsOf(entry).ID === '{C}' ? 'drop' : undefined),
      copy: { write: (piece) => void byChar.push(piece) },
    });
    for (const c of text) scanner.push(c);
    scanner.end();
    expect(byChar.join('')).toBe(text.replace(inst('C'), ''));
  });

  it('opens a self-closing root to insert into it', () => {
    const out: string[] = [];
    scan(`<Backups xmlns="${NS}" />`, { copy: { write: (p) => void out.push(p), beforeRootEnd: () => inst('A') } });
    expect(out.join('')).toBe(`<Backups xmlns="${NS}">${inst('A')}</Backups>`);
  });

  it('reads a file through the reader: absent is null, a link is refused, the bound is checked before reading', async () => {
    const dir = await tempDir();
    const folder = join(dir, 'set');
    await mkdir(folder);
    const reader = await BackupReader.open(folder);
    const options = { maxChars: 1000, onEntry: () => undefined };
    expect(await scanBackupIndexFile(reader, 'manifest.xml', 'manifest.xml', options)).toBeNull();
    await writeFile(join(folder, 'manifest.xml'), index(inst('A'), inst('B')));
    expect((await scanBackupIndexFile(reader, 'manifest.xml', 'manifest.xml', options))?.children).toBe(2);
    await expect(
      scanBackupIndexFile(reader, 'manifest.xml', 'manifest.xml', { ...options, maxChars: 100 }),
    ).rejects.toMatchObject({ code: 'BACKUP_FILE_TOO_LARGE' });
    await writeFile(join(dir, 'elsewhere.xml'), index(inst('A')));
    await symlink(join(dir, 'elsewhere.xml'), join(folder, 'linked.xml'));
    await expect(scanBackupIndexFile(reader, 'linked.xml', 'linked.xml', options)).rejects.toMatchObject({
      code: 'BACKUP_PATH_ESCAPES',
    });
  });

  it('reads 70,000 entries keeping none of the document once an entry is handed over', () => {
    const entry = inst('00000000-0000-0000-0000-000000000000', 'A display name long enough to be a view');
    const text = index(...Array.from({ length: 70_000 }, () => entry));
    const names: string[] = [];
    const scanner = new BackupIndexScanner('m', {
      maxChars: 1e9,
      onEntry: (e) => void names.push(e.fields[2]!.text),
    });
    for (let at = 0; at < text.length; at += 65536) scanner.push(text.slice(at, at + 65536));
    expect(scanner.end().children).toBe(70_000);
    expect(new Set(names).size).toBe(1);
  });
});
