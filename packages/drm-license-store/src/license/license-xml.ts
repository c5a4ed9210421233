import { createRequire } from 'node:module';
import type { XMLParser as XmlParserType, XMLValidator as XmlValidatorType } from 'fast-xml-parser';
import { refuseXmlDoctype } from '@coffer/core';
import { RIGHTS, type Right } from './license-facts.js';

/**
 * WMDRM v7-style license XML:
 *
 *   <LICENSE version="2.0.0.0"><LICENSORINFO>
 *     <DATA> LID KID ISSUEDATE PRIORITY PERSISTENT META ENABLINGBITS ONACTION* </DATA>
 *     <SIGNATURE> HASHALGORITHM SIGNALGORITHM VALUE </SIGNATURE>
 *     <CERTIFICATECHAIN> CERTIFICATE+ </CERTIFICATECHAIN>
 *   </LICENSORINFO></LICENSE>
 *
 * The signature covers the bytes of `<DATA>…</DATA>` exactly as they appear, so a
 * license is verified without re-serialising it. Conditions are elements, not the
 * script expressions real WMDRM used; the dates keep WMDRM's `YYYYMMDD HH:MM:SSZ` form.
 */
export const LICENSE_VERSION = '2.0.0.0';
export const ENABLING_BITS_ALGORITHM = 'AES-256-GCM';
export const SIGNATURE_ALGORITHM = 'Ed25519';

export interface RightCondition {
  beginsAt?: number;
  expiresAt?: number;
  count?: number;
  expireAfterFirstUseHours?: number;
}

export interface LicenseAction {
  type: Right;
  condition: RightCondition;
}

export interface EnablingBits {
  algorithm: string;
  /** The store binding the content key is wrapped to. */
  bindingId: string;
  /** base64 of iv | wrapped content key | tag. */
  value: string;
}

export interface LicenseData {
  lid: string;
  kid: string;
  issuedAt: number;
  priority: number;
  persistent: boolean;
  meta: Record<string, string>;
  enablingBits: EnablingBits;
  actions: LicenseAction[];
}

export type CertificateType = 'licensor' | 'service';

export interface Certificate {
  type: CertificateType;
  keyId: string;
  /** Raw Ed25519 public key, base64url. */
  publicKey: string;
}

export interface ParsedLicense extends LicenseData {
  /** `<DATA>…</DATA>` exactly as in the XML: what the signature covers. */
  dataXml: string;
  signature: { algorithm: string; value: string };
  certificates: Certificate[];
}

export function buildDataXml(data: LicenseData): string {
  const meta = Object.entries(data.meta)
    .map(([name, value]) => `<${assertTagName(name)}>${escapeText(value)}</${name}>`)
    .join('');
  const actions = data.actions
    .map((action) => `<ONACTION type="${action.type}">${buildCondition(action.condition)}</ONACTION>`)
    .join('');
  return (
    `<DATA><LID>${escapeText(data.lid)}</LID><KID>${escapeText(data.kid)}</KID>` +
    `<ISSUEDATE>${formatWmdrmDate(data.issuedAt)}</ISSUEDATE><PRIORITY>${data.priority}</PRIORITY>` +
    `<PERSISTENT>${data.persistent ? 'true' : 'false'}</PERSISTENT><META>${meta}</META>` +
    `${buildEnablingBitsXml(data.enablingBits)}${actions}</DATA>`
  );
}

export function buildEnablingBitsXml(bits: EnablingBits): string {
  return (
    `<ENABLINGBITS><ALGORITHM type="${escapeText(bits.algorithm)}"/><PUBKEY type="machine">${escapeText(bits.bindingId)}</PUBKEY>` +
    `<VALUE>${escapeText(bits.value)}</VALUE></ENABLINGBITS>`
  );
}

export function buildLicenseXml(dataXml: string, signatureValue: string, certificates: Certificate[]): string {
  const chain = certificates
    .map((c) => `<CERTIFICATE type="${c.type}" keyid="${escapeText(c.keyId)}">${escapeText(c.publicKey)}</CERTIFICATE>`)
    .join('');
  return (
    `<LICENSE version="${LICENSE_VERSION}"><LICENSORINFO>${dataXml}` +
    `<SIGNATURE><HASHALGORITHM type="SHA512"/><SIGNALGORITHM type="${SIGNATURE_ALGORITHM}"/><VALUE>${signatureValue}</VALUE></SIGNATURE>` +
    `<CERTIFICATECHAIN>${chain}</CERTIFICATECHAIN></LICENSORINFO></LICENSE>`
  );
}

function buildCondition(condition: RightCondition): string {
  const parts: string[] = [];
  if (condition.beginsAt !== undefined) parts.push(`<BEGINDATE>${formatWmdrmDate(condition.beginsAt)}</BEGINDATE>`);
  if (condition.expiresAt !== undefined)
    parts.push(`<EXPIRATIONDATE>${formatWmdrmDate(condition.expiresAt)}</EXPIRATIONDATE>`);
  if (condition.count !== undefined) parts.push(`<COUNT>${condition.count}</COUNT>`);
  if (condition.expireAfterFirstUseHours !== undefined)
    parts.push(`<EXPIREAFTERFIRSTUSE>${condition.expireAfterFirstUseHours}</EXPIREAFTERFIRSTUSE>`);
  return parts.length === 0 ? '' : `<CONDITION>${parts.join('')}</CONDITION>`;
}

/**
 * The XML parser is loaded on first use: a backup never parses a license, and loading it
 * costs a fresh process tens of milliseconds (the 100k benchmark runs one per backup).
 */
let loadedXmlTools: { parser: XmlParserType; validator: typeof XmlValidatorType } | undefined;
function xmlTools(): { parser: XmlParserType; validator: typeof XmlValidatorType } {
  if (!loadedXmlTools) {
    const library = createRequire(import.meta.url)('fast-xml-parser') as typeof import('fast-xml-parser');
    const parser = new library.XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '@_',
      parseTagValue: false,
      parseAttributeValue: false,
      trimValues: false,
      isArray: (name) => name === 'ONACTION' || name === 'CERTIFICATE',
    });
    loadedXmlTools = { parser, validator: library.XMLValidator };
  }
  return loadedXmlTools;
}

type Node = Record<string, unknown>;

/** Parses and checks a license; throws an Error saying what is wrong. */
export function parseLicenseXml(xml: string): ParsedLicense {
  // No license has a DOCTYPE; one would bring entity expansion or external entities: XML_DOCTYPE_REFUSED.
  refuseXmlDoctype(xml, 'license XML');
  const tools = xmlTools();
  const valid = tools.validator.validate(xml);
  if (valid !== true) throw new Error(`not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  const root = node(tools.parser.parse(xml) as Node, 'LICENSE');
  const info = node(root, 'LICENSORINFO');
  const data = node(info, 'DATA');
  const start = xml.indexOf('<DATA>');
  const end = xml.lastIndexOf('</DATA>');
  if (start < 0 || end < start) throw new Error('the DATA element must be written as <DATA>…</DATA>');
  const bits = node(data, 'ENABLINGBITS');
  const signature = node(info, 'SIGNATURE');
  const chain = node(info, 'CERTIFICATECHAIN');
  const metaNode = data.META;
  const meta: Record<string, string> = {};
  if (metaNode !== undefined && metaNode !== '') {
    if (typeof metaNode !== 'object' || metaNode === null) throw new Error('META must hold elements');
    for (const [key, value] of Object.entries(metaNode as Node)) if (!key.startsWith('@_')) meta[key] = String(value);
  }
  const actions = asArray(data.ONACTION).map((item) => {
    const action = item as Node;
    const type = String(action['@_type'] ?? '');
    if (!(RIGHTS as readonly string[]).includes(type)) throw new Error(`unknown right ONACTION type="${type}"`);
    const conditionNode = action.CONDITION === undefined || action.CONDITION === '' ? {} : (action.CONDITION as Node);
    const condition: RightCondition = {};
    if (conditionNode.BEGINDATE !== undefined) condition.beginsAt = parseWmdrmDate(text(conditionNode, 'BEGINDATE'));
    if (conditionNode.EXPIRATIONDATE !== undefined)
      condition.expiresAt = parseWmdrmDate(text(conditionNode, 'EXPIRATIONDATE'));
    if (conditionNode.COUNT !== undefined) condition.count = integer(text(conditionNode, 'COUNT'), 'COUNT', 0);
    if (conditionNode.EXPIREAFTERFIRSTUSE !== undefined) {
      condition.expireAfterFirstUseHours = integer(
        text(conditionNode, 'EXPIREAFTERFIRSTUSE'),
        'EXPIREAFTERFIRSTUSE',
        1,
      );
    }
    return { type: type as Right, condition };
  });
  const certificates = asArray(chain.CERTIFICATE).map((item) => {
    const cert = item as Node;
    const type = String(cert['@_type'] ?? '');
    if (type !== 'licensor' && type !== 'service') throw new Error(`unknown certificate type "${type}"`);
    return {
      type: type as CertificateType,
      keyId: String(cert['@_keyid'] ?? ''),
      publicKey: String(cert['#text'] ?? ''),
    };
  });
  if (certificates.length === 0) throw new Error('the license has no certificate');
  const persistentText = data.PERSISTENT === undefined ? 'true' : text(data, 'PERSISTENT');
  return {
    lid: text(data, 'LID'),
    kid: text(data, 'KID'),
    issuedAt: parseWmdrmDate(text(data, 'ISSUEDATE')),
    priority: integer(text(data, 'PRIORITY'), 'PRIORITY', 0),
    persistent: persistentText === 'true',
    meta,
    enablingBits: {
      algorithm: String(node(bits, 'ALGORITHM')['@_type'] ?? ''),
      bindingId: text(bits, 'PUBKEY'),
      value: text(bits, 'VALUE'),
    },
    actions,
    dataXml: xml.slice(start, end + '</DATA>'.length),
    signature: { algorithm: String(node(signature, 'SIGNALGORITHM')['@_type'] ?? ''), value: text(signature, 'VALUE') },
    certificates,
  };
}

/** `20250131 23:59:59Z`, the form WMDRM licenses carry. */
export function formatWmdrmDate(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)} ${iso.slice(11, 19)}Z`;
}

export function parseWmdrmDate(value: string): number {
  const match = /^(\d{4})(\d{2})(\d{2}) (\d{2}):(\d{2}):(\d{2})Z$/.exec(value.trim());
  if (!match) throw new Error(`bad date ${JSON.stringify(value)} (expected YYYYMMDD HH:MM:SSZ)`);
  const [, y, mo, d, h, mi, s] = match.map(Number) as [number, number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

export function escapeText(value: string): string {
  return value.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));
}

function assertTagName(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name) || /^xml/i.test(name))
    throw new Error(`META name ${JSON.stringify(name)} is not an XML element name`);
  return name;
}

function node(parent: Node, name: string): Node {
  const value = parent[name];
  if (value === undefined) throw new Error(`missing ${name} element`);
  if (value === '') return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`${name} must be a single element`);
  return value as Node;
}

function text(parent: Node, name: string): string {
  const value = parent[name];
  if (value === undefined) throw new Error(`missing ${name} element`);
  if (typeof value === 'object' && value !== null) {
    const inner = (value as Node)['#text'];
    if (inner === undefined) throw new Error(`${name} must hold text`);
    return String(inner);
  }
  return String(value);
}

function integer(value: string, name: string, min: number): number {
  if (!/^-?\d+$/.test(value.trim())) throw new Error(`${name} must be an integer, not ${JSON.stringify(value)}`);
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) throw new Error(`${name} must be at least ${min}`);
  return n;
}

function asArray(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
