import { CofferError, HRESULT } from '@coffer/core';
import { deriveKey, generateEd25519, keyIdOf, randomBytes, type Ed25519KeyPair } from '../crypto/primitives.js';

/**
 * The local licensor: the party that issues and signs licenses (a license server in real
 * WMDRM). It holds an Ed25519 signing key and a key seed; the content key of a KID is
 * derived from the seed, so every license it issues for one piece of content unlocks the
 * same key, as a WMDRM key seed does.
 */
export interface LicensorKey {
  id: string;
  name: string;
  createdAt: string;
  signing: Ed25519KeyPair;
  /** 32 bytes, base64. */
  keySeed: string;
}

/** A licensor known only by its public key: licenses it signs are trusted, none can be issued. */
export interface LicensorPublicKey {
  id: string;
  name: string;
  publicKey: string;
}

export const LICENSOR_FILE_FORMAT = 'coffer-drm-licensor';

export function createLicensorKey(name: string, now = new Date()): LicensorKey {
  const signing = generateEd25519();
  return {
    id: keyIdOf(signing.publicKey),
    name,
    createdAt: now.toISOString(),
    signing,
    keySeed: randomBytes(32).toString('base64'),
  };
}

/** The content key of a KID: 16 bytes from the licensor's key seed. */
export function contentKeyFor(licensor: LicensorKey, kid: string): Buffer {
  return deriveKey(Buffer.from(licensor.keySeed, 'base64'), kid, 'coffer-drm content key v1', 16);
}

/** A licensor key file (JSON). With `includePrivate` false it only lets another store trust the licensor. */
export function serializeLicensorFile(licensor: LicensorKey, includePrivate: boolean): string {
  const body = includePrivate
    ? { format: LICENSOR_FILE_FORMAT, version: 1, ...licensor }
    : {
        format: LICENSOR_FILE_FORMAT,
        version: 1,
        id: licensor.id,
        name: licensor.name,
        publicKey: licensor.signing.publicKey,
      };
  return `${JSON.stringify(body, null, 2)}\n`;
}

export function parseLicensorFile(text: string, where: string): LicensorKey | LicensorPublicKey {
  const bad = (why: string) =>
    new CofferError('DRM_LICENSOR_FILE_INVALID', `${where} is not a Coffer licensor key file: ${why}.`, {
      hresult: HRESULT.E_INVALIDARG,
      object: where,
      hint: "Export one with 'coffer drm export-licensor'.",
    });
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw bad((error as Error).message);
  }
  if (value.format !== LICENSOR_FILE_FORMAT || value.version !== 1)
    throw bad(`format ${String(value.format)} version ${String(value.version)}`);
  const name = typeof value.name === 'string' ? value.name : 'imported licensor';
  const signing = value.signing as Partial<Ed25519KeyPair> | undefined;
  if (signing && typeof signing.publicKey === 'string' && typeof signing.privateKey === 'string') {
    if (typeof value.keySeed !== 'string' || Buffer.from(value.keySeed, 'base64').length !== 32)
      throw bad('keySeed must be 32 bytes of base64');
    const id = keyIdOf(signing.publicKey);
    if (value.id !== undefined && value.id !== id)
      throw bad(`its id ${String(value.id)} does not match its key (${id})`);
    return {
      id,
      name,
      createdAt: typeof value.createdAt === 'string' ? value.createdAt : new Date().toISOString(),
      signing: { publicKey: signing.publicKey, privateKey: signing.privateKey },
      keySeed: value.keySeed,
    };
  }
  if (typeof value.publicKey === 'string') return { id: keyIdOf(value.publicKey), name, publicKey: value.publicKey };
  throw bad('it holds neither a signing key nor a public key');
}

export function isPrivateLicensor(key: LicensorKey | LicensorPublicKey): key is LicensorKey {
  return 'signing' in key;
}
