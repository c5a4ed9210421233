import { randomUUID } from 'node:crypto';
import { chmod, mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CofferError, HRESULT, writeFileAtomic, type DirectoryLock } from '@coffer/core';
import {
  decryptAesGcm,
  deriveKey,
  ed25519PrivateKey,
  encryptAesGcm,
  generateEd25519,
  generateX25519,
  keyIdOf,
  x25519Agree,
  type Ed25519KeyPair,
  type X25519KeyPair,
} from '../crypto/primitives.js';
import type { Certificate } from '../license/license-xml.js';
import { lockWithRetry } from '../store/lock-with-retry.js';
import type { KeyObject } from 'node:crypto';

/**
 * A local stand-in for Microsoft's online license restore service. Restores went through
 * it: it re-issued each license to the new machine and refused a license a 5th machine.
 * Here it is a folder (shared by the simulated machines of a test, or by the machines of
 * one user) holding the service's keys and its restore ledger. Backups seal their key
 * file to the service's public X25519 key, so only the service can open a backup made on
 * another machine; it signs the licenses it re-issues with its Ed25519 key.
 */
export const SERVICE_FILE = 'service.json';
export const LEDGER_FILE = 'ledger.log';
export const SERVICE_FORMAT = 'coffer-drm-license-service';
/** A license may live on at most this many machines: the original and 3 restores. */
export const MAX_MACHINES_PER_LICENSE = 4;

export interface ServicePublicInfo {
  serviceId: string;
  keyId: string;
  /** X25519 public key (base64url) backups are sealed to. */
  sealingKey: string;
  /** Ed25519 public key (base64url) re-issued licenses are signed with. */
  signingKey: string;
}

interface ServiceFile {
  format: typeof SERVICE_FORMAT;
  version: 1;
  serviceId: string;
  createdAt: string;
  sealing: X25519KeyPair;
  signing: Ed25519KeyPair;
}

/** What a backup's key file carries, readable only by the service. */
export interface BackupKeyPayload {
  /** 32 bytes, base64: the backup's MAC key is derived from it. */
  backupSecret: string;
  /** The source store's machine binding key, base64: lets the service unwrap content keys to re-issue them. */
  bindingKey: string;
  bindingId: string;
  machine: string;
  storeId: string;
}

export interface SealedBackupKey {
  format: 'coffer-drm-backup-key';
  version: 1;
  serviceId: string;
  serviceKeyId: string;
  ephemeralKey: string;
  sealed: string;
}

export function serviceUnavailable(path: string, detail: string): CofferError {
  return new CofferError('DRM_SERVICE_NOT_FOUND', `The license restore service at ${path} is not usable: ${detail}.`, {
    hresult: HRESULT.ERROR_PATH_NOT_FOUND,
    object: path,
    hint: 'Point the servicePath option (or COFFER_DRM_SERVICE) at the service folder the store was created with.',
  });
}

export class LicenseService {
  readonly path: string;
  readonly #file: ServiceFile;
  #signingKey: KeyObject | undefined;

  private constructor(path: string, file: ServiceFile) {
    this.path = path;
    this.#file = file;
  }

  /** Opens the service folder, creating the service (keys, empty ledger) the first time. */
  static async openOrCreate(path: string): Promise<LicenseService> {
    await mkdir(path, { recursive: true, mode: 0o700 });
    const lock = await lockWithRetry(path, (p) => serviceBusy(p), 5000);
    try {
      const existing = await readFile(join(path, SERVICE_FILE), 'utf8').catch(() => undefined);
      if (existing !== undefined) return new LicenseService(path, parseServiceFile(existing, path));
      const file: ServiceFile = {
        format: SERVICE_FORMAT,
        version: 1,
        serviceId: randomUUID(),
        createdAt: new Date().toISOString(),
        sealing: generateX25519(),
        signing: generateEd25519(),
      };
      await chmod(path, 0o700);
      await writeFileAtomic(join(path, SERVICE_FILE), `${JSON.stringify(file, null, 2)}\n`, 0o600);
      return new LicenseService(path, file);
    } finally {
      await lock.release();
    }
  }

  static async open(path: string): Promise<LicenseService> {
    const text = await readFile(join(path, SERVICE_FILE), 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw serviceUnavailable(path, error.code === 'ENOENT' ? 'it does not exist' : error.message);
    });
    return new LicenseService(path, parseServiceFile(text, path));
  }

  get publicInfo(): ServicePublicInfo {
    return {
      serviceId: this.#file.serviceId,
      keyId: keyIdOf(this.#file.sealing.publicKey, this.#file.signing.publicKey),
      sealingKey: this.#file.sealing.publicKey,
      signingKey: this.#file.signing.publicKey,
    };
  }

  get certificate(): Certificate {
    return { type: 'service', keyId: keyIdOf(this.#file.signing.publicKey), publicKey: this.#file.signing.publicKey };
  }

  get signingKey(): KeyObject {
    this.#signingKey ??= ed25519PrivateKey(this.#file.signing);
    return this.#signingKey;
  }

  /** Opens a backup's key file; undefined when it was not sealed to this service or was altered. */
  unseal(sealed: SealedBackupKey): BackupKeyPayload | undefined {
    if (sealed.serviceKeyId !== this.publicInfo.keyId) return undefined;
    const key = sealingKey(
      x25519Agree(this.#file.sealing, sealed.ephemeralKey),
      sealed.ephemeralKey,
      this.#file.sealing.publicKey,
    );
    const plain = decryptAesGcm(key, Buffer.from(sealed.sealed, 'base64'), sealAad(sealed.serviceKeyId));
    if (!plain) return undefined;
    try {
      return JSON.parse(plain.toString('utf8')) as BackupKeyPayload;
    } catch {
      return undefined;
    }
  }

  /** Runs `body` with the restore ledger, locked against other restores; its new entries are made durable. */
  async withLedger<T>(body: (ledger: RestoreLedger) => Promise<T> | T): Promise<T> {
    const lock: DirectoryLock = await lockWithRetry(this.path, (p) => serviceBusy(p), 10_000);
    try {
      const ledger = await RestoreLedger.load(join(this.path, LEDGER_FILE));
      const result = await body(ledger);
      await ledger.flush();
      return result;
    } finally {
      await lock.release();
    }
  }
}

/** Seals a backup's secrets to the service (run on the machine making the backup: it needs only public keys). */
export function sealBackupKey(service: ServicePublicInfo, payload: BackupKeyPayload): SealedBackupKey {
  const ephemeral = generateX25519();
  const key = sealingKey(x25519Agree(ephemeral, service.sealingKey), ephemeral.publicKey, service.sealingKey);
  const sealed = encryptAesGcm(key, Buffer.from(JSON.stringify(payload), 'utf8'), sealAad(service.keyId));
  return {
    format: 'coffer-drm-backup-key',
    version: 1,
    serviceId: service.serviceId,
    serviceKeyId: service.keyId,
    ephemeralKey: ephemeral.publicKey,
    sealed: sealed.toString('base64'),
  };
}

function sealingKey(shared: Buffer, ephemeralPublic: string, servicePublic: string): Buffer {
  return deriveKey(shared, `${ephemeralPublic}|${servicePublic}`, 'coffer-drm backup seal v1');
}

function sealAad(serviceKeyId: string): string {
  return `coffer-drm-backup-key v1|${serviceKeyId}`;
}

function serviceBusy(path: string): CofferError {
  return new CofferError('DRM_SERVICE_BUSY', `The license restore service at ${path} is busy.`, {
    hresult: HRESULT.ERROR_SHARING_VIOLATION,
    object: path,
    hint: 'Another restore is talking to it; retry.',
  });
}

function parseServiceFile(text: string, path: string): ServiceFile {
  try {
    const file = JSON.parse(text) as ServiceFile;
    if (
      file.format !== SERVICE_FORMAT ||
      file.version !== 1 ||
      !file.sealing?.privateKey ||
      !file.signing?.privateKey
    ) {
      throw new Error(`format ${String(file.format)} version ${String(file.version)}`);
    }
    return file;
  } catch (error) {
    throw serviceUnavailable(path, `${SERVICE_FILE} is unreadable (${(error as Error).message})`);
  }
}

/**
 * Which machines each license lives on (by machine hash). The service refuses a
 * restore that would put a license on a 5th machine; a machine already listed is free.
 */
export class RestoreLedger {
  readonly #path: string;
  readonly #machines = new Map<string, Set<string>>();
  #pending: string[] = [];

  private constructor(path: string) {
    this.#path = path;
  }

  static async load(path: string): Promise<RestoreLedger> {
    const ledger = new RestoreLedger(path);
    const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    for (const line of text.split('\n')) {
      const [lid, machine] = line.split('\t');
      if (lid && machine) ledger.#add(lid, machine);
    }
    return ledger;
  }

  machinesOf(lid: string): ReadonlySet<string> {
    return this.#machines.get(lid) ?? new Set();
  }

  /**
   * Decides one license's restore from `source` onto `target`: allowed when the target
   * already holds it, or when it lives on fewer than MAX machines. An allowed restore is
   * recorded (with the source, so the original machine counts).
   */
  admit(lid: string, source: string, target: string): boolean {
    const known = new Set(this.machinesOf(lid));
    known.add(source);
    if (!known.has(target) && known.size >= MAX_MACHINES_PER_LICENSE) return false;
    for (const machine of [source, target]) if (!this.machinesOf(lid).has(machine)) this.#record(lid, machine);
    return true;
  }

  async flush(): Promise<void> {
    if (this.#pending.length === 0) return;
    const handle = await open(this.#path, 'a', 0o600);
    try {
      await handle.write(this.#pending.join(''));
      await handle.sync();
    } finally {
      await handle.close();
    }
    this.#pending = [];
  }

  #record(lid: string, machine: string): void {
    this.#add(lid, machine);
    this.#pending.push(`${lid}\t${machine}\t${new Date().toISOString()}\n`);
  }

  #add(lid: string, machine: string): void {
    let set = this.#machines.get(lid);
    if (!set) this.#machines.set(lid, (set = new Set()));
    set.add(machine);
  }
}
