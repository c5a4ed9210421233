import { randomBytes, randomUUID } from 'node:crypto';
import { invalidArgument } from '@coffer/core';
import { ed25519PrivateKey, signEd25519 } from '../crypto/primitives.js';
import type { LicenseRecord } from '../store/license-record.js';
import { recordOfSigned } from './admission.js';
import { wrapContentKey } from './enabling-bits.js';
import type { Right } from './license-facts.js';
import {
  SIGNATURE_ALGORITHM,
  buildDataXml,
  buildLicenseXml,
  type LicenseAction,
  type ParsedLicense,
  type RightCondition,
} from './license-xml.js';
import { contentKeyFor, type LicensorKey } from './licensor.js';

/** What an issuer asks for, in the terms of the Windows Media Rights Manager SDK. */
export interface IssueLicenseSpec {
  /** Content key id; a new random one when omitted. */
  kid?: string;
  /** License id; a new GUID when omitted. */
  lid?: string;
  /** Higher wins when several licenses of one KID could play (default 0). */
  priority?: number;
  title?: string;
  meta?: Record<string, string>;
  /** Grant Play (default true). */
  play?: boolean;
  playCount?: number;
  copy?: boolean;
  copyCount?: number;
  /** Grant Backup and Restore. Off by default, and forced off when playCount is set. */
  allowBackupRestore?: boolean;
  beginDate?: Date | string | number;
  expirationDate?: Date | string | number;
  expireAfterFirstUseHours?: number;
  /** Default true. A non-persistent license is never backed up. */
  persistent?: boolean;
  /** ISSUEDATE; now when omitted. */
  issueDate?: Date | string | number;
}

export interface IssuedLicense {
  record: LicenseRecord;
  license: ParsedLicense;
  /** What the issuer asked for but did not get (AllowBackupRestore forced off). */
  notes: string[];
}

export interface IssueContext {
  licensor: LicensorKey;
  bindingKey: Uint8Array;
  bindingId: string;
  now: number;
}

export function issueLicense(
  spec: IssueLicenseSpec,
  context: IssueContext,
  signingKey = ed25519PrivateKey(context.licensor.signing),
): IssuedLicense {
  const notes: string[] = [];
  const kid = spec.kid ?? randomBytes(16).toString('base64');
  const lid = spec.lid ?? `{${randomUUID().toUpperCase()}}`;
  const condition: RightCondition = {};
  if (spec.beginDate !== undefined) condition.beginsAt = toMs(spec.beginDate, 'beginDate');
  if (spec.expirationDate !== undefined) condition.expiresAt = toMs(spec.expirationDate, 'expirationDate');
  if (spec.expireAfterFirstUseHours !== undefined)
    condition.expireAfterFirstUseHours = positiveInteger(spec.expireAfterFirstUseHours, 'expireAfterFirstUseHours');
  const actions: LicenseAction[] = [];
  const usage = (type: Right, count: number | undefined) => {
    const own: RightCondition = { ...condition };
    if (count !== undefined) own.count = positiveInteger(count, `${type.toLowerCase()}Count`);
    actions.push({ type, condition: own });
  };
  if (spec.play ?? true) usage('Play', spec.playCount);
  else if (spec.playCount !== undefined) throw invalidArgument('playCount needs the Play right (play: true).');
  if (spec.copy || spec.copyCount !== undefined) usage('Copy', spec.copyCount);
  let allowBackupRestore = spec.allowBackupRestore ?? false;
  if (allowBackupRestore && spec.playCount !== undefined) {
    allowBackupRestore = false;
    notes.push('AllowBackupRestore was forced off because the license sets a play count.');
  }
  if (allowBackupRestore) actions.push({ type: 'Backup', condition: {} }, { type: 'Restore', condition: {} });
  const meta: Record<string, string> = { ...(spec.title === undefined ? {} : { TITLE: spec.title }), ...spec.meta };
  const data = {
    lid,
    kid,
    issuedAt: spec.issueDate === undefined ? Math.floor(context.now / 1000) * 1000 : toMs(spec.issueDate, 'issueDate'),
    priority: spec.priority === undefined ? 0 : nonNegativeInteger(spec.priority, 'priority'),
    persistent: spec.persistent ?? true,
    meta,
    enablingBits: wrapContentKey(context.bindingKey, context.bindingId, contentKeyFor(context.licensor, kid), lid, kid),
    actions,
  };
  const dataXml = buildDataXml(data);
  const certificate = {
    type: 'licensor' as const,
    keyId: context.licensor.id,
    publicKey: context.licensor.signing.publicKey,
  };
  const signature = signEd25519(signingKey, dataXml);
  const xml = buildLicenseXml(dataXml, signature, [certificate]);
  const license: ParsedLicense = {
    ...data,
    dataXml,
    signature: { algorithm: SIGNATURE_ALGORITHM, value: signature },
    certificates: [certificate],
  };
  return { record: recordOfSigned(xml, license), license, notes };
}

function toMs(value: Date | string | number, name: string): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) throw invalidArgument(`${name} is not a date: ${JSON.stringify(value)}`);
  return Math.floor(ms / 1000) * 1000;
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw invalidArgument(`${name} must be a whole number of at least 1.`);
  return value;
}

function nonNegativeInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw invalidArgument(`${name} must be a whole number of at least 0.`);
  return value;
}
