import { describe, expect, test } from 'vitest';
import { parseXmlDocument } from '@coffer/core';
import {
  MIGRATION_TABLE_NAMESPACE,
  parseMigrationTable,
  renderMigrationTable,
  type MigrationTableEntry,
} from '../../src/import/migration-table.js';

const entries: MigrationTableEntry[] = [
  { type: 'GlobalGroup', source: 'LAB\\Helpdesk & <Ops>', destination: { kind: 'set', value: 'CORP\\Support' } },
  { type: 'User', source: 'alice@lab.example', destination: { kind: 'by-relative-name' } },
  { type: 'Unknown', source: 'S-1-5-21-1-2-3-1105', destination: { kind: 'none' } },
  { type: 'UNCPath', source: '\\\\labfs\\share', destination: { kind: 'same-as-source' } },
];

describe('writing a migration table (GPMC .migtable)', () => {
  test('is UTF-16LE with a BOM and the declaration, root and namespaces GPMC writes', () => {
    const bytes = renderMigrationTable(entries);
    expect([...bytes.subarray(0, 2)]).toEqual([0xff, 0xfe]);
    const text = bytes.subarray(2).toString('utf16le');
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('<?xml version="1.0" encoding="utf-16"?>');
    expect(lines[1]).toBe(
      `<MigrationTable xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="${MIGRATION_TABLE_NAMESPACE}">`,
    );
    expect(lines.at(-2)).toBe('</MigrationTable>');
    expect(lines.at(-1)).toBe('');
  });

  test('each <Mapping> holds Type, Source and one destination element, in that order', () => {
    const text = renderMigrationTable(entries).subarray(2).toString('utf16le');
    const root = parseXmlDocument(text.replace(/^<\?xml[^>]*\?>/, ''), 'table');
    expect(root.name).toBe('MigrationTable');
    const mappings = root.children.filter((c) => c.name === 'Mapping');
    expect(mappings.map((m) => m.children.map((c) => c.name))).toEqual([
      ['Type', 'Source', 'Destination'],
      ['Type', 'Source', 'DestinationByRelativeName'],
      ['Type', 'Source', 'DestinationNone'],
      ['Type', 'Source', 'DestinationSameAsSource'],
    ]);
    // Empty destinations are written self-closing with a space, as .NET's XmlSerializer (GPMC) writes them.
    expect(text).toContain('    <DestinationSameAsSource />\r\n');
    expect(text).toContain('    <Source>LAB\\Helpdesk &amp; &lt;Ops&gt;</Source>\r\n');
  });

  test('reads back with the reader import uses, entry for entry', () => {
    const read = parseMigrationTable(renderMigrationTable(entries), 'written.migtable');
    expect(read.map(({ type, source, destination }) => ({ type, source, destination }))).toEqual(entries);
  });

  test('an empty table reads back as empty', () => {
    expect(parseMigrationTable(renderMigrationTable([]), 'empty.migtable')).toEqual([]);
  });
});
