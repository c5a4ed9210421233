import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
  sign,
  timingSafeEqual,
  verify,
  type KeyObject,
} from 'node:crypto';

/** Small wrappers over node:crypto, so every other module speaks bytes and base64 strings. */

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function hmacHex(key: Uint8Array, data: string | Uint8Array): string {
  return createHmac('sha256', key).update(data).digest('hex');
}

export function deriveKey(secret: Uint8Array, salt: string | Uint8Array, info: string, length = 32): Buffer {
  return Buffer.from(
    hkdfSync('sha256', secret, typeof salt === 'string' ? Buffer.from(salt, 'utf8') : salt, info, length),
  );
}

export function equalHex(a: string, b: string): boolean {
  if (a.length !== b.length || a.length === 0) return false;
  return timingSafeEqual(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** AES-256-GCM; output is iv(12) | ciphertext | tag(16). */
export function encryptAesGcm(key: Uint8Array, plaintext: Uint8Array, aad: string): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

/** Returns undefined when the key is wrong or the data was altered. */
export function decryptAesGcm(key: Uint8Array, sealed: Uint8Array, aad: string): Buffer | undefined {
  if (sealed.length < 12 + 16) return undefined;
  const iv = sealed.subarray(0, 12);
  const tag = sealed.subarray(sealed.length - 16);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(sealed.subarray(12, sealed.length - 16)), decipher.final()]);
  } catch {
    return undefined;
  }
}

export interface Ed25519KeyPair {
  /** Raw 32-byte public key, base64url. */
  publicKey: string;
  /** Raw 32-byte private key, base64url. */
  privateKey: string;
}

export function generateEd25519(): Ed25519KeyPair {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  return { publicKey: jwk.x!, privateKey: jwk.d! };
}

export function ed25519PrivateKey(pair: Ed25519KeyPair): KeyObject {
  return createPrivateKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: pair.publicKey, d: pair.privateKey },
    format: 'jwk',
  });
}

export function ed25519PublicKey(publicKey: string): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey }, format: 'jwk' });
}

export function signEd25519(key: KeyObject, data: string | Uint8Array): string {
  return sign(null, typeof data === 'string' ? Buffer.from(data, 'utf8') : data, key).toString('base64');
}

export function verifyEd25519(publicKey: string, data: string | Uint8Array, signature: string): boolean {
  try {
    return verify(
      null,
      typeof data === 'string' ? Buffer.from(data, 'utf8') : data,
      ed25519PublicKey(publicKey),
      Buffer.from(signature, 'base64'),
    );
  } catch {
    return false;
  }
}

export interface X25519KeyPair {
  publicKey: string;
  privateKey: string;
}

export function generateX25519(): X25519KeyPair {
  const { privateKey } = generateKeyPairSync('x25519');
  const jwk = privateKey.export({ format: 'jwk' });
  return { publicKey: jwk.x!, privateKey: jwk.d! };
}

/** Ephemeral-static X25519 agreement: the shared secret, for HKDF. */
export function x25519Agree(ownPrivate: X25519KeyPair, peerPublic: string): Buffer {
  const privateKey = createPrivateKey({
    key: { kty: 'OKP', crv: 'X25519', x: ownPrivate.publicKey, d: ownPrivate.privateKey },
    format: 'jwk',
  });
  const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: peerPublic }, format: 'jwk' });
  return diffieHellman({ privateKey, publicKey });
}

/** A short id for a public key: the first 16 hex digits of its SHA-256. */
export function keyIdOf(...publicKeys: string[]): string {
  return sha256Hex(publicKeys.join('|')).slice(0, 16);
}

export { randomBytes };
