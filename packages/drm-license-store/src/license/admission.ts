import { sha256Hex, verifyEd25519 } from '../crypto/primitives.js';
import type { LicenseRecord } from '../store/license-record.js';
import type { LicenseFacts, Right, SignatureVerdict } from './license-facts.js';
import { SIGNATURE_ALGORITHM, parseLicenseXml, type ParsedLicense } from './license-xml.js';

/** A public key a store accepts license signatures from. */
export interface TrustedKey {
  keyId: string;
  /** Raw Ed25519 public key, base64url. */
  publicKey: string;
  kind: 'licensor' | 'service';
  name: string;
}

const USAGE_RIGHTS: readonly Right[] = ['Play', 'Copy'];

/** Checks the signature against the first certificate, and that certificate against the store's trusted keys. */
export function signatureVerdict(license: ParsedLicense, trusted: readonly TrustedKey[]): SignatureVerdict {
  const certificate = license.certificates[0]!;
  if (license.signature.algorithm !== SIGNATURE_ALGORITHM) return 'invalid';
  if (!verifyEd25519(certificate.publicKey, license.dataXml, license.signature.value)) return 'invalid';
  return trusted.some((key) => key.publicKey === certificate.publicKey) ? 'valid' : 'untrusted';
}

export function factsOf(license: ParsedLicense, signature: SignatureVerdict): LicenseFacts {
  const rights = [...new Set(license.actions.map((a) => a.type))];
  const counts: Partial<Record<Right, number>> = {};
  for (const action of license.actions)
    if (action.condition.count !== undefined) counts[action.type] = action.condition.count;
  const usage = license.actions.filter((a) => USAGE_RIGHTS.includes(a.type));
  const begins = usage.map((a) => a.condition.beginsAt).filter((v): v is number => v !== undefined);
  const expiries = usage.map((a) => a.condition.expiresAt);
  const afterUse = usage.map((a) => a.condition.expireAfterFirstUseHours);
  return {
    persistent: license.persistent,
    rights,
    counts,
    signature,
    beginsAt: begins.length > 0 ? Math.max(...begins) : null,
    expiresAt: usage.length > 0 && expiries.every((v) => v !== undefined) ? Math.max(...(expiries as number[])) : null,
    afterFirstUseHours:
      usage.length > 0 && afterUse.every((v) => v !== undefined) ? Math.max(...(afterUse as number[])) : null,
  };
}

/** Parses a license XML and derives its store record. Throws an Error when the XML is not a license. */
export function admitLicense(
  xml: string,
  trusted: readonly TrustedKey[],
): { record: LicenseRecord; license: ParsedLicense } {
  const license = parseLicenseXml(xml);
  const facts = factsOf(license, signatureVerdict(license, trusted));
  return {
    license,
    record: { lid: license.lid, kid: license.kid, priority: license.priority, sha256: sha256Hex(xml), facts, xml },
  };
}

/** Builds the record of a license this process has just signed (no need to re-verify). */
export function recordOfSigned(xml: string, license: ParsedLicense): LicenseRecord {
  return {
    lid: license.lid,
    kid: license.kid,
    priority: license.priority,
    sha256: sha256Hex(xml),
    facts: factsOf(license, 'valid'),
    xml,
  };
}
