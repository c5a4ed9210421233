import { decryptAesGcm, encryptAesGcm } from '../crypto/primitives.js';
import { ENABLING_BITS_ALGORITHM, type EnablingBits } from './license-xml.js';

/** ENABLINGBITS: the content key wrapped (AES-256-GCM) to one store's machine binding key, tied to the LID and KID. */
export function wrapContentKey(
  bindingKey: Uint8Array,
  bindingId: string,
  contentKey: Uint8Array,
  lid: string,
  kid: string,
): EnablingBits {
  const value = encryptAesGcm(bindingKey, contentKey, aad(lid, kid)).toString('base64');
  return { algorithm: ENABLING_BITS_ALGORITHM, bindingId, value };
}

/** The content key, or undefined when the bits are not for this binding key or were altered. */
export function unwrapContentKey(
  bindingKey: Uint8Array,
  bits: EnablingBits,
  lid: string,
  kid: string,
): Buffer | undefined {
  if (bits.algorithm !== ENABLING_BITS_ALGORITHM) return undefined;
  return decryptAesGcm(bindingKey, Buffer.from(bits.value, 'base64'), aad(lid, kid));
}

function aad(lid: string, kid: string): string {
  return `coffer-drm enabling bits|${lid}|${kid}`;
}
