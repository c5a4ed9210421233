/**
 * StarterGPO.tmplx: the XML file that makes a SYSVOL folder a Starter GPO. No public sample was found, so the
 * element names are not verified (docs/gpmc-backup-format.md §1). The parser is tolerant: it looks fields up
 * by local name, case-insensitively, under the names GPMC's API uses (IGPMStarterGPO's properties) and a few
 * likely aliases, as child elements or root attributes; everything else stays in the lossless document and
 * is written back verbatim.
 */
import { CofferError, HRESULT } from '@coffer/core';
import {
  parseLosslessXml,
  renderLosslessXml,
  setChildText,
  type LosslessXmlDocument,
  type XmlAttribute,
  type XmlChildElement,
} from '@coffer/gpmc';

export const TEMPLATE_FILE_NAME = 'StarterGPO.tmplx';
export const LOCALIZED_TEMPLATE_FILE_NAME = 'StarterGPO.tmpll';

/** GPMStarterGPOType: typeSystem = 0, typeCustom = 1. */
export const StarterGpoType = { System: 0, Custom: 1 } as const;
export type StarterGpoTypeName = keyof typeof StarterGpoType;

export type TemplateField =
  | 'displayName'
  | 'description'
  | 'author'
  | 'product'
  | 'creationTime'
  | 'modifiedTime'
  | 'id'
  | 'type'
  | 'computerVersion'
  | 'userVersion'
  | 'starterGpoVersion';

/** Names each field is looked up by (lower-case local names); the first is the one written when a field is added. */
export const TEMPLATE_FIELD_NAMES: Record<TemplateField, readonly string[]> = {
  displayName: ['displayname', 'name'],
  description: ['description', 'comment'],
  author: ['author'],
  product: ['product'],
  creationTime: ['creationtime', 'created', 'createdtime', 'creationdate'],
  modifiedTime: ['modifiedtime', 'modificationtime', 'modified', 'lastmodifiedtime', 'changedtime'],
  id: ['id', 'guid', 'uniqueid', 'startergpoid'],
  type: ['type', 'startergpotype'],
  computerVersion: ['computerversion', 'machineversion'],
  userVersion: ['userversion'],
  starterGpoVersion: ['startergpoversion', 'version', 'templateversion'],
};

const ELEMENT_NAME_WRITTEN: Record<TemplateField, string> = {
  displayName: 'DisplayName',
  description: 'Description',
  author: 'Author',
  product: 'Product',
  creationTime: 'CreationTime',
  modifiedTime: 'ModifiedTime',
  id: 'ID',
  type: 'Type',
  computerVersion: 'ComputerVersion',
  userVersion: 'UserVersion',
  starterGpoVersion: 'StarterGPOVersion',
};

/** What StarterGPO.tmplx says about a Starter GPO, plus the document it came from (unknown parts included). */
export interface StarterGpoTemplate {
  /** `{GUID}` as written, or null when the file names none (the folder name is the ID then). */
  id: string | null;
  displayName: string | null;
  description: string | null;
  author: string | null;
  product: string | null;
  /** As written (the format is not verified); {@link parseTemplateTime} reads the common ones. */
  creationTime: string | null;
  modifiedTime: string | null;
  /** GPMStarterGPOType, from `0`/`1` or `System`/`Custom`; null when absent or unreadable. */
  type: StarterGpoTypeName | null;
  /** The raw `Type` text, kept for values this parser does not know. */
  typeText: string | null;
  computerVersion: number | null;
  userVersion: number | null;
  starterGpoVersion: string | null;
  /** Child elements of the root that are none of the fields above, in order, as written. */
  unknownElements: Array<{ name: string; raw: string }>;
  /** Root attributes that are none of the fields above and not namespace declarations, with decoded values. */
  unknownAttributes: XmlAttribute[];
  /** The whole document, lossless: {@link renderStarterGpoTemplate} writes it back byte for byte. */
  document: LosslessXmlDocument;
}

const FIELD_BY_NAME = new Map<string, TemplateField>(
  Object.entries(TEMPLATE_FIELD_NAMES).flatMap(([field, names]) =>
    names.map((name) => [name, field as TemplateField] as const),
  ),
);

function fieldOf(localName: string): TemplateField | undefined {
  return FIELD_BY_NAME.get(localName.toLowerCase());
}

function parseNumber(text: string | null): number | null {
  if (text === null) return null;
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number.parseInt(trimmed, 10);
  if (/^0x[0-9a-f]+$/i.test(trimmed)) return Number.parseInt(trimmed.slice(2), 16);
  return null;
}

export function parseStarterGpoType(text: string | null): StarterGpoTypeName | null {
  if (text === null) return null;
  const value = text.trim().toLowerCase();
  if (value === '0' || value === 'system' || value === 'typesystem') return 'System';
  if (value === '1' || value === 'custom' || value === 'typecustom') return 'Custom';
  return null;
}

/** Parses StarterGPO.tmplx. Throws MALFORMED_XML for a broken file; a missing field is null, never an error. */
export function parseStarterGpoTemplate(bytes: Uint8Array | string, where = TEMPLATE_FILE_NAME): StarterGpoTemplate {
  const document = parseLosslessXml(bytes, where);
  const values = new Map<TemplateField, string>();
  const unknownElements: Array<{ name: string; raw: string }> = [];
  const unknownAttributes: XmlAttribute[] = [];
  for (const item of document.content) {
    if (item.kind !== 'element') continue;
    const field = fieldOf(item.localName);
    if (field === undefined || values.has(field) || item.hasChildElements)
      unknownElements.push({ name: item.name, raw: item.raw });
    else values.set(field, item.text.trim());
  }
  for (const attribute of document.rootAttributes) {
    if (attribute.name === 'xmlns' || attribute.name.startsWith('xmlns:')) continue;
    const local = attribute.name.includes(':') ? attribute.name.slice(attribute.name.indexOf(':') + 1) : attribute.name;
    const field = fieldOf(local);
    // A root `version` attribute is the file format's version, not the Starter GPO's.
    if (field !== undefined && local.toLowerCase() !== 'version' && !values.has(field))
      values.set(field, attribute.value.trim());
    else unknownAttributes.push(attribute);
  }
  const text = (field: TemplateField): string | null => values.get(field) ?? null;
  return {
    id: text('id'),
    displayName: text('displayName'),
    description: text('description'),
    author: text('author'),
    product: text('product'),
    creationTime: text('creationTime'),
    modifiedTime: text('modifiedTime'),
    type: parseStarterGpoType(text('type')),
    typeText: text('type'),
    computerVersion: parseNumber(text('computerVersion')),
    userVersion: parseNumber(text('userVersion')),
    starterGpoVersion: text('starterGpoVersion'),
    unknownElements,
    unknownAttributes,
    document,
  };
}

/** The tmplx bytes: identical to what was read unless fields were changed with {@link withTemplateField}. */
export function renderStarterGpoTemplate(template: StarterGpoTemplate): Buffer {
  return renderLosslessXml(template.document);
}

/** A copy of the template with one field set (the element keeps its place and spelling; a missing one is added). */
export function withTemplateField(
  template: StarterGpoTemplate,
  field: TemplateField,
  value: string,
): StarterGpoTemplate {
  const existing = template.document.content.find(
    (item): item is XmlChildElement =>
      item.kind === 'element' && fieldOf(item.localName) === field && !item.hasChildElements,
  );
  const document = setChildText(template.document, existing?.localName ?? ELEMENT_NAME_WRITTEN[field], value);
  return parseStarterGpoTemplate(renderLosslessXml(document), 'StarterGPO.tmplx');
}

/**
 * Reads a tmplx time. Accepted: ISO 8601 (with or without zone; no zone means UTC, as GPMC's files use),
 * and Windows FILETIME as a decimal number. Returns undefined for anything else.
 */
export function parseTemplateTime(text: string | null): Date | undefined {
  if (text === null || text.trim() === '') return undefined;
  const value = text.trim();
  if (/^\d{15,20}$/.test(value)) {
    const filetime = BigInt(value);
    const ms = Number(filetime / 10_000n) - 11_644_473_600_000;
    const date = new Date(ms);
    return Number.isNaN(date.getTime()) ? undefined : date;
  }
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value)) {
    const date = new Date(`${value.replace(' ', 'T')}Z`);
    return Number.isNaN(date.getTime()) ? undefined : date;
  }
  if (/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/.test(value)) {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? undefined : date;
  }
  return undefined;
}

export function notAStarterGpo(where: string, detail: string): CofferError {
  return new CofferError('NOT_A_STARTER_GPO', `${where} is not a Starter GPO: ${detail}`, {
    hresult: HRESULT.ERROR_FILE_CORRUPT,
    object: where,
    hint: 'A Starter GPO folder holds StarterGPO.tmplx; recreate the folder from a backup or a .cab file.',
  });
}
