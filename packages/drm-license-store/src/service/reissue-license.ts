import { signEd25519, verifyEd25519 } from '../crypto/primitives.js';
import { unwrapContentKey, wrapContentKey } from '../license/enabling-bits.js';
import { buildEnablingBitsXml, buildLicenseXml, type ParsedLicense } from '../license/license-xml.js';
import type { LicenseService } from './license-service.js';

export interface RebindTarget {
  bindingKey: Uint8Array;
  bindingId: string;
}

/**
 * What the restore service does for a license restored onto another machine (or another
 * store): checks the original signature, unwraps the content key with the source binding
 * key from the backup, wraps it to the target binding and signs the new DATA as the
 * service (the licensor's certificate stays in the chain, after the service's).
 * Returns the reason when it cannot.
 */
export function reissueLicense(
  license: ParsedLicense,
  sourceBindingKey: Uint8Array,
  target: RebindTarget,
  service: LicenseService,
): { xml: string } | { refused: string } {
  const original = license.certificates[0]!;
  if (!verifyEd25519(original.publicKey, license.dataXml, license.signature.value))
    return { refused: 'its signature does not verify' };
  const contentKey = unwrapContentKey(sourceBindingKey, license.enablingBits, license.lid, license.kid);
  if (!contentKey) return { refused: 'its content key cannot be unwrapped with the source machine key in the backup' };
  const bits = wrapContentKey(target.bindingKey, target.bindingId, contentKey, license.lid, license.kid);
  const start = license.dataXml.indexOf('<ENABLINGBITS>');
  const end = license.dataXml.indexOf('</ENABLINGBITS>');
  if (start < 0 || end < start) return { refused: 'its ENABLINGBITS element is not in the expected form' };
  const dataXml = `${license.dataXml.slice(0, start)}${buildEnablingBitsXml(bits)}${license.dataXml.slice(end + '</ENABLINGBITS>'.length)}`;
  const chain = [service.certificate, ...license.certificates.filter((c) => c.type !== 'service')];
  return { xml: buildLicenseXml(dataXml, signEd25519(service.signingKey, dataXml), chain) };
}
