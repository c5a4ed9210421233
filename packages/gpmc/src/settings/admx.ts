/**
 * Administrative template definitions (ADMX, with their English ADML): enough of the schema to name the policies a
 * Registry.pol sets, as GPMC's report does: each policy's display name, category path, explain text, supported-on
 * text, its own enabled/disabled value and its elements (decimal, longDecimal, text, multiText, enum, boolean,
 * list) with their presentation labels. Read from the domain's central store (`Policies/PolicyDefinitions`) or any
 * folder of `*.admx` with `<culture>/*.adml` beside them. XML goes through the safe reader (DOCTYPE refused).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { BACKUP_READ_LIMITS } from '@coffer/core';
import { join } from 'node:path';
import { parseXmlDocument, type XmlElement } from '../xml/element-tree.js';
import { ADMX_MALFORMED, settingsMalformed } from './errors.js';
import type { SettingsIssue } from './model.js';

export type AdmxValue = { kind: 'decimal'; value: number } | { kind: 'string'; value: string } | { kind: 'delete' };

export interface AdmxElement {
  kind: 'decimal' | 'longDecimal' | 'text' | 'multiText' | 'enum' | 'boolean' | 'list';
  id: string;
  key: string;
  valueName: string;
  /** enum: items with their display text and value. */
  items?: Array<{ displayName: string; value: AdmxValue }>;
  /** boolean: trueValue / falseValue. */
  trueValue?: AdmxValue;
  falseValue?: AdmxValue;
  /** list: value names are prefix + 1, 2… (or explicit names when explicitValue). */
  valuePrefix?: string;
  explicitValue?: boolean;
  additive?: boolean;
}

export interface AdmxPolicy {
  /** `namespace:name`. */
  id: string;
  name: string;
  class: 'Machine' | 'User' | 'Both';
  displayName: string;
  explain: string;
  category: string;
  supported: string;
  key: string;
  valueName?: string;
  enabledValue?: AdmxValue;
  disabledValue?: AdmxValue;
  elements: AdmxElement[];
  /** Element labels from the ADML presentation, by element id. */
  labels: Record<string, string>;
}

export interface AdmxCatalog {
  policies: AdmxPolicy[];
  /** Files that could not be read, with codes (the rest of the store is still used). */
  issues: SettingsIssue[];
}

interface RawCategory {
  displayName: string;
  parent: string | null;
}

/** One ADMX file with its ADML, both as bytes; `file` names it in issues. */
export interface AdmxFilePair {
  file: string;
  admx: Uint8Array;
  adml: Uint8Array | null;
}

function children(element: XmlElement | undefined, name: string): XmlElement[] {
  return (element?.children ?? []).filter((child) => child.name === name);
}

function first(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return element?.children.find((child) => child.name === name);
}

function admxValueOf(element: XmlElement | undefined): AdmxValue | undefined {
  if (element === undefined) return undefined;
  const decimal = first(element, 'decimal');
  if (decimal !== undefined) return { kind: 'decimal', value: Number(decimal.attributes.value ?? 0) };
  const string = first(element, 'string');
  if (string !== undefined) return { kind: 'string', value: string.text };
  if (first(element, 'delete') !== undefined) return { kind: 'delete' };
  return undefined;
}

/** Builds a catalog from ADMX/ADML bytes; a file that cannot be read becomes an ADMX_MALFORMED issue. */
export function buildAdmxCatalog(pairs: readonly AdmxFilePair[]): AdmxCatalog {
  const issues: SettingsIssue[] = [];
  const categories = new Map<string, RawCategory>();
  const pending: Array<{ policy: AdmxPolicy; parent: string | null }> = [];
  const supportedNames = new Map<string, string>();
  for (const pair of pairs) {
    try {
      const admx = parseXmlDocument(pair.admx, pair.file);
      if (admx.name !== 'policyDefinitions')
        throw settingsMalformed(
          pair.file,
          `the root element is <${admx.name}>, not <policyDefinitions>`,
          ADMX_MALFORMED,
        );
      const strings = new Map<string, string>();
      const presentations = new Map<string, XmlElement>();
      if (pair.adml !== null) {
        const adml = parseXmlDocument(pair.adml, `${pair.file} (ADML)`);
        const resources = first(adml, 'resources');
        for (const s of children(first(resources, 'stringTable'), 'string')) strings.set(s.attributes.id ?? '', s.text);
        for (const p of children(first(resources, 'presentationTable'), 'presentation'))
          presentations.set(p.attributes.id ?? '', p);
      }
      const text = (reference: string | undefined): string => {
        const match = /^\$\(string\.(.+)\)$/.exec(reference ?? '');
        return match === null ? (reference ?? '') : (strings.get(match[1]!) ?? match[1]!);
      };
      const namespaces = first(admx, 'policyNamespaces');
      const target = first(namespaces, 'target');
      const prefixes = new Map<string, string>();
      const own = target?.attributes.namespace ?? pair.file;
      prefixes.set(target?.attributes.prefix ?? '', own);
      for (const using of children(namespaces, 'using'))
        prefixes.set(using.attributes.prefix ?? '', using.attributes.namespace ?? '');
      const qualify = (ref: string | undefined): string | null => {
        if (ref === undefined || ref === '') return null;
        const colon = ref.indexOf(':');
        return colon < 0
          ? `${own}:${ref}`
          : `${prefixes.get(ref.slice(0, colon)) ?? ref.slice(0, colon)}:${ref.slice(colon + 1)}`;
      };
      for (const category of children(first(admx, 'categories'), 'category')) {
        categories.set(`${own}:${category.attributes.name}`, {
          displayName: text(category.attributes.displayName),
          parent: qualify(first(category, 'parentCategory')?.attributes.ref),
        });
      }
      for (const definition of children(first(first(admx, 'supportedOn'), 'definitions'), 'definition')) {
        supportedNames.set(`${own}:${definition.attributes.name}`, text(definition.attributes.displayName));
      }
      for (const element of children(first(admx, 'policies'), 'policy')) {
        const attributes = element.attributes;
        const key = attributes.key ?? '';
        const presentation = presentations.get(
          /^\$\(presentation\.(.+)\)$/.exec(attributes.presentation ?? '')?.[1] ?? '',
        );
        const labels: Record<string, string> = {};
        for (const shown of presentation?.children ?? []) {
          const id = shown.attributes.refId;
          if (id === undefined) continue;
          const label = first(shown, 'label')?.text ?? shown.text;
          labels[id] = label.trim();
        }
        const elements: AdmxElement[] = (first(element, 'elements')?.children ?? []).map((item) => {
          const base = {
            id: item.attributes.id ?? '',
            key: item.attributes.key ?? key,
            valueName: item.attributes.valueName ?? '',
          };
          switch (item.name) {
            case 'enum':
              return {
                kind: 'enum' as const,
                ...base,
                items: children(item, 'item').map((option) => ({
                  displayName: text(option.attributes.displayName),
                  value: admxValueOf(first(option, 'value')) ?? { kind: 'delete' as const },
                })),
              };
            case 'boolean': {
              const trueValue = admxValueOf(first(item, 'trueValue'));
              const falseValue = admxValueOf(first(item, 'falseValue'));
              return {
                kind: 'boolean' as const,
                ...base,
                ...(trueValue ? { trueValue } : {}),
                ...(falseValue ? { falseValue } : {}),
              };
            }
            case 'list':
              return {
                kind: 'list' as const,
                ...base,
                valuePrefix: item.attributes.valuePrefix ?? '',
                explicitValue: item.attributes.explicitValue === 'true',
                additive: item.attributes.additive === 'true',
              };
            case 'decimal':
            case 'longDecimal':
            case 'text':
            case 'multiText':
              return { kind: item.name, ...base };
            default:
              return { kind: 'text' as const, ...base };
          }
        });
        const enabledValue = admxValueOf(first(element, 'enabledValue'));
        const disabledValue = admxValueOf(first(element, 'disabledValue'));
        const policyClass = attributes.class === 'User' ? 'User' : attributes.class === 'Both' ? 'Both' : 'Machine';
        const policy: AdmxPolicy = {
          id: `${own}:${attributes.name}`,
          name: attributes.name ?? '',
          class: policyClass,
          displayName: text(attributes.displayName),
          explain: text(attributes.explainText),
          category: '',
          supported: qualify(first(element, 'supportedOn')?.attributes.ref) ?? '',
          key,
          ...(attributes.valueName !== undefined ? { valueName: attributes.valueName } : {}),
          ...(enabledValue ? { enabledValue } : {}),
          ...(disabledValue ? { disabledValue } : {}),
          elements,
          labels,
        };
        pending.push({ policy, parent: qualify(first(element, 'parentCategory')?.attributes.ref) });
      }
    } catch (error) {
      const e = error as { code?: string; message?: string };
      issues.push({ code: e.code ?? ADMX_MALFORMED, file: pair.file, message: e.message ?? String(error) });
    }
  }
  const path = (ref: string | null, depth = 0): string => {
    if (ref === null || depth > 32) return '';
    const category = categories.get(ref);
    if (category === undefined) return ref.slice(ref.indexOf(':') + 1);
    const parent = path(category.parent, depth + 1);
    return parent === '' ? category.displayName : `${parent}/${category.displayName}`;
  };
  for (const { policy, parent } of pending) {
    policy.category = path(parent);
    policy.supported =
      supportedNames.get(policy.supported) ?? policy.supported.slice(policy.supported.indexOf(':') + 1);
  }
  return { policies: pending.map((entry) => entry.policy), issues };
}

/**
 * Reads a folder of ADMX files (the central store `Policies/PolicyDefinitions`, or `--admx-dir`) with the ADML of
 * `culture` (default en-US) beside them. A missing ADML leaves names as ids; a missing folder is an empty catalog.
 */
export async function loadAdmxDirectory(folder: string, culture = 'en-US'): Promise<AdmxCatalog> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { policies: [], issues: [] };
    throw error;
  }
  const cultureFolder = names.find((name) => name.toLowerCase() === culture.toLowerCase());
  const admlNames =
    cultureFolder === undefined ? [] : await readdir(join(folder, cultureFolder)).catch(() => [] as string[]);
  const pairs: AdmxFilePair[] = [];
  const tooLarge: SettingsIssue[] = [];
  // Bounded before reading: the XML reader refuses documents over this size anyway, so never hold more.
  const bounded = async (path: string, file: string): Promise<Buffer | null> => {
    const size = (await stat(path)).size;
    if (size <= BACKUP_READ_LIMITS.maxXmlBytes) return readFile(path);
    tooLarge.push({
      code: 'BACKUP_FILE_TOO_LARGE',
      file,
      message: `${file} is ${size} bytes, over the bound of ${BACKUP_READ_LIMITS.maxXmlBytes} for an XML document; it was not read.`,
    });
    return null;
  };
  for (const name of names.filter((n) => n.toLowerCase().endsWith('.admx')).sort()) {
    const admlName = admlNames.find((n) => n.toLowerCase() === `${name.slice(0, -5)}.adml`.toLowerCase());
    const admx = await bounded(join(folder, name), name);
    if (admx === null) continue;
    const adml =
      admlName === undefined || cultureFolder === undefined
        ? null
        : await bounded(join(folder, cultureFolder, admlName), `${cultureFolder}/${admlName}`);
    pairs.push({ file: name, admx, adml });
  }
  const catalog = buildAdmxCatalog(pairs);
  return { policies: catalog.policies, issues: [...tooLarge, ...catalog.issues] };
}
