import { CofferError, HRESULT, parseXmlDocument, xmlChild, xmlChildText, type XmlElement } from '@coffer/core';

/** GPMC's GPMEntryType names as a .migtable spells them. */
export const MIGRATION_ENTRY_TYPES = [
  'User',
  'Computer',
  'LocalGroup',
  'GlobalGroup',
  'UniversalGroup',
  'UNCPath',
  'Unknown',
] as const;
export type MigrationEntryType = (typeof MIGRATION_ENTRY_TYPES)[number];

/** GPMDestinationOption: a name, the source itself, nothing (drop the reference), or the same name in the target domain. */
export type MigrationDestination =
  | { kind: 'set'; value: string }
  | { kind: 'same-as-source' }
  | { kind: 'none' }
  | { kind: 'by-relative-name' };

export interface MigrationMapping {
  /** 1-based position in the file, for messages. */
  index: number;
  type: MigrationEntryType;
  source: string;
  destination: MigrationDestination;
}

export const MIGRATION_TABLE_NAMESPACE = 'http://www.microsoft.com/GroupPolicy/GPOOperations/MigrationTable';

/**
 * Reads a GPMC migration table: `<MigrationTable xmlns="…/MigrationTable">` holding `<Mapping>` elements
 * with `<Type>`, `<Source>` and one of `<Destination>`, `<DestinationSameAsSource/>`, `<DestinationNone/>`,
 * `<DestinationByRelativeName/>`. GPMC writes it UTF-16 with a BOM; UTF-8 is accepted too. Every problem
 * is reported at once, naming the mapping, so a table is fixed in one pass.
 */
export function parseMigrationTable(bytes: Uint8Array | string, where: string): MigrationMapping[] {
  // Core's safe reader, as for every file Coffer reads: size bounded, a DOCTYPE (entity expansion, external
  // entities) refused before any parser sees it (XML_DOCTYPE_REFUSED), well-formedness checked.
  const text = decode(bytes);
  const body = parseXmlDocument(text, where, {
    malformedCode: 'MIGRATION_TABLE_INVALID',
    hint: 'Fix the table (it is not well-formed XML) and run the import again; nothing was changed.',
  });
  // The reader keeps local names only, so the root's qualified name and default namespace come from its start tag.
  // (Comments go first: one before the root may hold anything that looks like a tag.)
  const rootTag = /<(?![?!])([^\s/>]+)([^>]*)>/.exec(text.replace(/<!--[\s\S]*?-->/g, ''));
  if (rootTag?.[1] !== 'MigrationTable')
    throw invalidTable(where, [`its root element is not <MigrationTable> (found ${rootTag?.[1] ?? body.name})`]);
  const namespace = /\sxmlns\s*=\s*(["'])(.*?)\1/.exec(rootTag[2] ?? '')?.[2];
  if (namespace !== MIGRATION_TABLE_NAMESPACE) {
    throw invalidTable(where, [
      `<MigrationTable> has the namespace ${JSON.stringify(namespace ?? '')}, not ${MIGRATION_TABLE_NAMESPACE}`,
    ]);
  }
  const problems: string[] = [];
  const mappings: MigrationMapping[] = [];
  const seen = new Map<string, number>();
  body.children
    .filter((child) => child.name === 'Mapping')
    .forEach((mapping, i) => {
      const index = i + 1;
      const type = textOf(mapping, 'Type');
      const source = textOf(mapping, 'Source');
      const destinations = [
        'Destination',
        'DestinationSameAsSource',
        'DestinationNone',
        'DestinationByRelativeName',
      ].filter((name) => xmlChild(mapping, name) !== undefined);
      const here = `mapping #${index}${source ? ` (${source})` : ''}`;
      if (!(MIGRATION_ENTRY_TYPES as readonly string[]).includes(type)) {
        problems.push(`${here} has the type ${JSON.stringify(type)}; use one of ${MIGRATION_ENTRY_TYPES.join(', ')}`);
        return;
      }
      if (source === '') {
        problems.push(`${here} has no <Source>`);
        return;
      }
      if (destinations.length !== 1) {
        problems.push(
          `${here} needs exactly one of <Destination>, <DestinationSameAsSource/>, <DestinationNone/>, <DestinationByRelativeName/> (it has ${destinations.length})`,
        );
        return;
      }
      let destination: MigrationDestination;
      switch (destinations[0]) {
        case 'Destination': {
          const value = textOf(mapping, 'Destination');
          if (value === '') {
            problems.push(`${here} has an empty <Destination>`);
            return;
          }
          destination = { kind: 'set', value };
          break;
        }
        case 'DestinationSameAsSource':
          destination = { kind: 'same-as-source' };
          break;
        case 'DestinationNone':
          destination = { kind: 'none' };
          break;
        default:
          destination = { kind: 'by-relative-name' };
      }
      if (type === 'UNCPath') {
        if (!source.startsWith('\\\\'))
          problems.push(`${here} is a UNCPath mapping but its source is not a UNC path (\\\\server\\share)`);
        if (destination.kind === 'none' || destination.kind === 'by-relative-name')
          problems.push(`${here}: a UNC path can only be mapped to a path or to itself`);
        if (destination.kind === 'set' && !destination.value.startsWith('\\\\'))
          problems.push(`${here} maps a UNC path to ${JSON.stringify(destination.value)}, which is not a UNC path`);
      } else if (source.startsWith('\\\\')) {
        problems.push(`${here} has the type ${type} but its source is a UNC path; use the type UNCPath`);
      }
      const key = `${type === 'UNCPath' ? 'unc' : 'principal'}|${source.toLowerCase()}`;
      if (seen.has(key)) problems.push(`${here} maps the same source as mapping #${seen.get(key)}`);
      seen.set(key, index);
      mappings.push({ index, type: type as MigrationEntryType, source, destination });
    });
  if (problems.length > 0) throw invalidTable(where, problems);
  return mappings;
}

function textOf(element: XmlElement, name: string): string {
  return xmlChildText(element, name).trim();
}

function decode(input: Uint8Array | string): string {
  if (typeof input === 'string') return input.replace(/^\uFEFF/, '');
  const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return Buffer.from(bytes.subarray(2)).swap16().toString('utf16le');
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  // GPMC's files declare encoding="utf-16"; one saved without a BOM still reads as UTF-16 if it looks like it.
  if (text.length > 1 && text.charCodeAt(1) === 0) return bytes.toString('utf16le');
  return text.replace(/<\?xml[^>]*encoding="utf-16"[^>]*\?>/i, '<?xml version="1.0"?>');
}

export function invalidTable(where: string, problems: string[]): CofferError {
  return new CofferError(
    'MIGRATION_TABLE_INVALID',
    `The migration table ${where} is not usable: ${problems.join('; ')}.`,
    {
      hresult: HRESULT.E_INVALIDARG,
      object: where,
      hint: 'Fix the table (GPMC format: <MigrationTable> with <Mapping><Type/><Source/><Destination/></Mapping>) and run the import again; nothing was changed.',
    },
  );
}

/** One mapping to write: what {@link renderMigrationTable} takes (the reader's mappings fit too). */
export interface MigrationTableEntry {
  type: MigrationEntryType;
  source: string;
  destination: MigrationDestination;
}

function escapeText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * A migration table as GPMC's Migration Table Editor saves one: UTF-16LE with a BOM, an `encoding="utf-16"`
 * declaration, the root with the xsd/xsi prefixes and the MigrationTable default namespace (as .NET's XmlSerializer
 * writes them), two-space indents, CRLF, and in each `<Mapping>` the elements in GPMC's order: `<Type>`,
 * `<Source>`, then the destination (`<DestinationSameAsSource />` and its siblings self-closing with a space).
 */
export function renderMigrationTable(entries: readonly MigrationTableEntry[]): Buffer {
  const lines = [
    '<?xml version="1.0" encoding="utf-16"?>',
    `<MigrationTable xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="${MIGRATION_TABLE_NAMESPACE}">`,
  ];
  for (const entry of entries) {
    const destination =
      entry.destination.kind === 'set'
        ? `<Destination>${escapeText(entry.destination.value)}</Destination>`
        : entry.destination.kind === 'same-as-source'
          ? '<DestinationSameAsSource />'
          : entry.destination.kind === 'none'
            ? '<DestinationNone />'
            : '<DestinationByRelativeName />';
    lines.push(
      '  <Mapping>',
      `    <Type>${entry.type}</Type>`,
      `    <Source>${escapeText(entry.source)}</Source>`,
      `    ${destination}`,
      '  </Mapping>',
    );
  }
  lines.push('</MigrationTable>');
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf16le')]);
}
