import { createHmac, randomUUID, type Hmac } from 'node:crypto';
import { chmod, mkdir, open, readFile, readdir, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { CofferError, HRESULT, fsyncDirectory, writeFileAtomic, type DirectoryLock } from '@coffer/core';
import { canonicalJson } from '../crypto/canonical-json.js';
import { resolveMachineId, machineHash } from '../crypto/machine-identity.js';
import { deriveKey, equalHex, hmacHex, randomBytes, sha256Hex } from '../crypto/primitives.js';
import {
  DrmLocalCode,
  checkpointFailed,
  datastoreCorrupt,
  drmError,
  storeBusyForManagement,
} from '../errors/drm-codes.js';
import type { TrustedKey } from '../license/admission.js';
import { FRESH_STATE, type LicenseState } from '../license/license-facts.js';
import type { LicensorKey } from '../license/licensor.js';
import type { ServicePublicInfo } from '../service/license-service.js';
import { escapeField, unescapeField } from './field-escaping.js';
import {
  encodeLicenseRecord,
  decodeLicenseHead,
  type LicenseRecord,
  type LicenseRecordHead,
} from './license-record.js';
import type { BufferPool } from '../io/buffer-pool.js';
import { forEachLineRange, type LineRangeVisitor } from '../io/line-reader.js';
import { lockWithRetry } from './lock-with-retry.js';
import { MAC_LINE_PREFIX, MacChainVerifier, genesisMac, sealBatch } from './mac-chain.js';
import { MacChainWorkerVerifier, MacMismatch } from './mac-chain-worker.js';

export const STORE_FORMAT = 'coffer-drm-store';
export const HEADER_FILE = 'store.json';
const KEYS_FORMAT = 'coffer-drm-store-keys';
/** The sealed note of an append in progress (see LicenseStore#markAppendPending). */
const APPEND_PENDING_FILE = 'append.pending';
const GENERATION_FILE = /^(licenses|state)-(\d{6})\.log$|^(keys)-(\d{6})\.json$/;

export type LogKind = 'licenses' | 'state';

/** How a scan reads its log. */
export interface LogReadOptions {
  /** Bytes per read (1 MiB by default). */
  chunkBytes?: number;
  /** Read buffers from this pool (see forEachLineRange); its size must match `chunkBytes`. */
  pool?: BufferPool;
  /**
   * Check the MAC chain on a worker thread (MacChainWorkerVerifier), for a scan whose main thread
   * is busy with other work; a pool of shared buffers lets the worker hash them in place.
   */
  macOnWorker?: boolean;
}

/** Where a log ends as far as the store is concerned; bytes past it are an interrupted append. */
export interface LogCheckpoint {
  file: string;
  bytes: number;
  records: number;
  /** MAC of the last sealed batch (or the genesis value). */
  chain: string;
}

/** store.json: the one file whose atomic replacement commits every change. */
export interface StoreHeader {
  format: typeof STORE_FORMAT;
  version: 1;
  storeId: string;
  createdAt: string;
  updatedAt: string;
  /** machineHash() of the machine the store belongs to. */
  machine: string;
  /** Public id of the machine binding key licenses are wrapped to. */
  bindingId: string;
  service: ServicePublicInfo | null;
  trustedKeys: TrustedKey[];
  keys: { file: string; sha256: string };
  licenses: LogCheckpoint;
  state: LogCheckpoint;
  /** HMAC-SHA256 of the canonical JSON of every other field. */
  mac: string;
}

interface KeysFile {
  format: typeof KEYS_FORMAT;
  version: 1;
  /** 32 random bytes, base64: with the machine id, the root of the store's keys. */
  secret: string;
  licensors: LicensorKey[];
}

export interface StoreOpenOptions {
  path: string;
  machineId?: string;
  /** The error to raise when another process holds the store (default DRM_STORE_BUSY). */
  busyError?: (path: string) => CofferError;
  /** How long to wait for the lock; 0 fails at once (backup, restore). Default 5 s. */
  waitMs?: number;
}

export interface StoreCreateOptions extends StoreOpenOptions {
  service: ServicePublicInfo | null;
}

/**
 * The license store: a folder (0700) of 0600 files, locked while open, bound to one
 * machine, tamper-evident, written crash-safely. Licenses and per-LID state live in two
 * append-only logs sealed by MAC chains; store.json (HMAC'd) names the current
 * generation of each log and where it ends, and replacing it atomically is the commit
 * point of every change. Removing licenses writes a new generation. See README.md.
 */
export class LicenseStore {
  readonly path: string;
  readonly machineId: string;
  #header: StoreHeader;
  #keys: KeysFile;
  readonly #macKey: Buffer;
  /** Whether the append marker's folder entry was fsynced by this handle (see #markAppendPending). */
  #pendingMarkerDurable = false;
  readonly #bindingKey: Buffer;
  readonly #lock: DirectoryLock;
  #closed = false;

  private constructor(path: string, machineId: string, header: StoreHeader, keys: KeysFile, lock: DirectoryLock) {
    this.path = path;
    this.machineId = machineId;
    this.#header = header;
    this.#keys = keys;
    this.#lock = lock;
    const root = rootKey(keys.secret, machineId);
    this.#macKey = deriveKey(root, header.storeId, 'coffer-drm store mac v1');
    this.#bindingKey = deriveKey(root, header.storeId, 'coffer-drm machine binding v1');
  }

  static async exists(path: string): Promise<boolean> {
    return stat(join(path, HEADER_FILE)).then(
      () => true,
      () => false,
    );
  }

  /** Creates an empty store (individualises this machine) and returns it open. */
  static async create(options: StoreCreateOptions): Promise<LicenseStore> {
    const path = options.path;
    await mkdir(path, { recursive: true, mode: 0o700 });
    await chmod(path, 0o700);
    const lock = await lockWithRetry(path, options.busyError ?? storeBusyForManagement, options.waitMs ?? 5000);
    try {
      if (await LicenseStore.exists(path)) {
        throw new CofferError(DrmLocalCode.StoreExists, `A license store already exists at ${path}.`, {
          hresult: HRESULT.ERROR_ALREADY_EXISTS,
          object: path,
          hint: 'Use it, or choose another folder with --store.',
        });
      }
      const machineId = await resolveMachineId(options.machineId);
      const storeId = randomUUID();
      const keys: KeysFile = {
        format: KEYS_FORMAT,
        version: 1,
        secret: randomBytes(32).toString('base64'),
        licensors: [],
      };
      const keysFile = generationName('keys', 1);
      const keysText = serializeKeys(keys);
      await writeFileAtomic(join(path, keysFile), keysText, 0o600);
      for (const kind of ['licenses', 'state'] as const)
        await writeFileAtomic(join(path, generationName(kind, 1)), '', 0o600);
      const now = new Date().toISOString();
      const root = rootKey(keys.secret, machineId);
      const header: StoreHeader = {
        format: STORE_FORMAT,
        version: 1,
        storeId,
        createdAt: now,
        updatedAt: now,
        machine: machineHash(machineId),
        bindingId: bindingIdOf(deriveKey(root, storeId, 'coffer-drm machine binding v1')),
        service: options.service,
        trustedKeys: options.service
          ? [
              {
                keyId: options.service.keyId,
                publicKey: options.service.signingKey,
                kind: 'service',
                name: `license service ${options.service.serviceId}`,
              },
            ]
          : [],
        keys: { file: keysFile, sha256: sha256Hex(keysText) },
        licenses: { file: generationName('licenses', 1), bytes: 0, records: 0, chain: genesisMac(storeId, 'licenses') },
        state: { file: generationName('state', 1), bytes: 0, records: 0, chain: genesisMac(storeId, 'state') },
        mac: '',
      };
      const store = new LicenseStore(path, machineId, header, keys, lock);
      await store.#commitHeader();
      return store;
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  /**
   * Opens and locks a store, checking (in this order) that it can be read, that it belongs
   * to this machine (NS_E_DRM_HARDWAREID_MISMATCH) and that its header and key file are
   * intact (NS_E_DRM_CHECKPOINT_FAILED). The logs are checked as they are read.
   */
  static async open(options: StoreOpenOptions): Promise<LicenseStore> {
    const path = options.path;
    if (!(await LicenseStore.exists(path))) throw storeNotFound(path);
    const lock = await lockWithRetry(path, options.busyError ?? storeBusyForManagement, options.waitMs ?? 5000);
    try {
      const headerText = await readFile(join(path, HEADER_FILE), 'utf8').catch((error: unknown) => {
        throw datastoreCorrupt(path, `${HEADER_FILE} is unreadable`, error);
      });
      const header = parseHeader(headerText, path);
      const machineId = await resolveMachineId(options.machineId);
      if (header.machine !== machineHash(machineId)) {
        throw drmError('NS_E_DRM_HARDWAREID_MISMATCH', `The license store ${path} belongs to another machine.`, {
          object: path,
          hint: 'Licenses cannot move by copying the store. Back them up on their machine and restore them here with the individualize flag.',
        });
      }
      const keysText = await readFile(join(path, header.keys.file), 'utf8').catch((error: unknown) => {
        throw datastoreCorrupt(path, `its key file ${header.keys.file} is unreadable`, error);
      });
      if (!equalHex(sha256Hex(keysText), header.keys.sha256))
        throw checkpointFailed(path, `its key file ${header.keys.file} was altered`);
      const keys = parseKeys(keysText, path);
      const store = new LicenseStore(path, machineId, header, keys, lock);
      if (!equalHex(store.#headerMac(), header.mac))
        throw checkpointFailed(path, `${HEADER_FILE} does not match its MAC`);
      if (bindingIdOf(store.#bindingKey) !== header.bindingId)
        throw checkpointFailed(path, 'the machine binding does not match');
      for (const kind of ['licenses', 'state'] as const) {
        const checkpoint = header[kind];
        const size = await stat(join(path, checkpoint.file)).then(
          (s) => s.size,
          (error: unknown) => {
            throw datastoreCorrupt(path, `its ${kind} log ${checkpoint.file} is missing`, error);
          },
        );
        if (size < checkpoint.bytes)
          throw checkpointFailed(path, `its ${kind} log ${checkpoint.file} is shorter than its checkpoint`);
        // Bytes past the checkpoint are only an append this store began and never committed (a crash between the
        // log's fsync and the header's), which its sealed marker vouches for; anything else was added behind its back.
        if (size > checkpoint.bytes && !(await store.#appendWasPending(checkpoint))) {
          throw checkpointFailed(
            path,
            `its ${kind} log ${checkpoint.file} was extended past its checkpoint (${size - checkpoint.bytes} bytes no append of this store left)`,
          );
        }
      }
      await store.#removeOrphans();
      return store;
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  get header(): Readonly<StoreHeader> {
    return this.#header;
  }

  get storeId(): string {
    return this.#header.storeId;
  }

  get machine(): string {
    return this.#header.machine;
  }

  get bindingId(): string {
    return this.#header.bindingId;
  }

  /** The key licenses' content keys are wrapped to. Leaves the store only inside a sealed backup key file. */
  get bindingKey(): Buffer {
    return this.#bindingKey;
  }

  get licenseCount(): number {
    return this.#header.licenses.records;
  }

  get licensors(): readonly LicensorKey[] {
    return this.#keys.licensors;
  }

  get trustedKeys(): readonly TrustedKey[] {
    return this.#header.trustedKeys;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#lock.release();
  }

  // ---- keys -------------------------------------------------------------------------

  /** Adds a licensor key (and trusts it). The key file is written as a new generation, committed by the header. */
  async addLicensor(licensor: LicensorKey): Promise<void> {
    const keys: KeysFile = {
      ...this.#keys,
      licensors: [...this.#keys.licensors.filter((l) => l.id !== licensor.id), licensor],
    };
    const file = generationName('keys', generationOf(this.#header.keys.file) + 1);
    const text = serializeKeys(keys);
    await writeFileAtomic(join(this.path, file), text, 0o600);
    const previous = this.#header.keys.file;
    this.#header = {
      ...this.#header,
      keys: { file, sha256: sha256Hex(text) },
      trustedKeys: withKey(this.#header.trustedKeys, licensorTrust(licensor)),
    };
    this.#keys = keys;
    await this.#commitHeader();
    await rm(join(this.path, previous), { force: true });
  }

  async trust(key: TrustedKey): Promise<void> {
    if (this.#header.trustedKeys.some((k) => k.publicKey === key.publicKey)) return;
    this.#header = { ...this.#header, trustedKeys: withKey(this.#header.trustedKeys, key) };
    await this.#commitHeader();
  }

  async setService(service: ServicePublicInfo): Promise<void> {
    this.#header = { ...this.#header, service };
    await this.trust({
      keyId: service.keyId,
      publicKey: service.signingKey,
      kind: 'service',
      name: `license service ${service.serviceId}`,
    });
    await this.#commitHeader();
  }

  // ---- licenses ---------------------------------------------------------------------

  /** Appends licenses as one sealed batch. LIDs must not be in the store already (callers check). */
  async appendLicenses(records: readonly LicenseRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.#appendBatch('licenses', records.map(encodeLicenseRecord).join(''), records.length);
  }

  /**
   * Streams every license record, checking the MAC chain as it goes: a failed batch MAC
   * throws NS_E_DRM_CHECKPOINT_FAILED at once, a log that ends short or was extended
   * throws it at the end. Callers must not commit anything before this resolves.
   */
  async scanLicenses(onRecord: (line: Buffer, head: LicenseRecordHead) => void | Promise<void>): Promise<void> {
    await this.#scanLogLines('licenses', (line) => {
      let head: LicenseRecordHead;
      try {
        head = decodeLicenseHead(line);
      } catch (error) {
        throw datastoreCorrupt(this.path, `a license record is malformed (${(error as Error).message})`, error);
      }
      return onRecord(line, head);
    });
  }

  /**
   * Like scanLicenses, but hands over raw record lines as ranges of the read buffers, read
   * `chunkBytes` at a time: the backup's hot loop, which decodes only what it needs and copies
   * nothing per license. Read buffers come from `pool` when one is given (see forEachLineRange:
   * a view kept past `bufferDone` must then be retained in it); otherwise they are fresh and stay
   * alive as long as the visitor holds views.
   */
  async scanLicenseLineRanges(visitor: LineRangeVisitor, read: LogReadOptions = {}): Promise<void> {
    await this.#scanLog('licenses', visitor, read);
  }

  /**
   * Writes a new generation of the licenses log holding the records `keep` accepts plus
   * the added ones, then commits it. Used for removal and for restore (which replaces
   * LIDs). `added` may be a list, or a function that writes encoded record lines (with
   * their newline) and returns how many it wrote.
   */
  async rewriteLicenses(
    keep: (head: LicenseRecordHead) => boolean,
    added: readonly LicenseRecord[] | ((writeLine: (line: Buffer) => Promise<void>) => Promise<number>) = [],
  ): Promise<{ kept: number; dropped: number; added: number }> {
    let kept = 0;
    let dropped = 0;
    let addedCount = 0;
    await this.#rewriteLog('licenses', async (write) => {
      await this.scanLicenses(async (line, head) => {
        if (keep(head)) {
          kept += 1;
          await write(line, true);
        } else dropped += 1;
      });
      if (typeof added === 'function') addedCount = await added((line) => write(line, false));
      else {
        for (const record of added) await write(encodeLicenseRecord(record), false);
        addedCount = added.length;
      }
      return kept + addedCount;
    });
    return { kept, dropped, added: addedCount };
  }

  // ---- state ------------------------------------------------------------------------

  /** The state of every LID that has any (plays, first use, disabled). Memory grows with used licenses only. */
  async loadStates(): Promise<Map<string, LicenseState>> {
    const states = new Map<string, LicenseState>();
    await this.#scanLogLines('state', (line) => {
      const [tag, lid, plays, firstUse, disabled] = line.toString('utf8').split('\t');
      if (tag !== 'S' || lid === undefined || disabled === undefined)
        throw datastoreCorrupt(this.path, 'a state record is malformed');
      states.set(unescapeField(lid), {
        plays: Number(plays),
        firstUse: firstUse === '-' ? null : Number(firstUse),
        disabled: disabled === '1',
      });
    });
    return states;
  }

  async appendStates(entries: ReadonlyArray<readonly [string, LicenseState]>): Promise<void> {
    if (entries.length === 0) return;
    await this.#appendBatch('state', entries.map(([lid, state]) => encodeState(lid, state)).join(''), entries.length);
  }

  /** Rewrites the state log from `states` (compaction, or dropping removed and restored LIDs). */
  async rewriteStates(states: ReadonlyMap<string, LicenseState>): Promise<void> {
    await this.#rewriteLog('state', async (write) => {
      let count = 0;
      for (const [lid, state] of states) {
        if (state.plays === FRESH_STATE.plays && state.firstUse === null && !state.disabled) continue;
        await write(encodeState(lid, state), false);
        count += 1;
      }
      return count;
    });
  }

  /** Whether the state log has grown well past one record per LID and is worth compacting. */
  stateNeedsCompaction(liveEntries: number): boolean {
    return this.#header.state.records > 2 * liveEntries + 1024;
  }

  // ---- internals --------------------------------------------------------------------

  async #appendBatch(kind: LogKind, text: string, records: number): Promise<void> {
    this.#assertOpen();
    const checkpoint = this.#header[kind];
    const batch = Buffer.from(text, 'utf8');
    const { macLine, mac } = sealBatch(this.#macKey, checkpoint.chain, batch, records);
    await this.#markAppendPending(checkpoint);
    const handle = await open(join(this.path, checkpoint.file), 'r+');
    try {
      // Bytes past the checkpoint are a batch whose commit never happened: drop them first.
      await handle.truncate(checkpoint.bytes);
      await handle.write(batch, 0, batch.length, checkpoint.bytes);
      await handle.write(macLine, checkpoint.bytes + batch.length, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    this.#header = {
      ...this.#header,
      [kind]: {
        file: checkpoint.file,
        bytes: checkpoint.bytes + batch.length + Buffer.byteLength(macLine),
        records: checkpoint.records + records,
        chain: mac,
      },
    };
    await this.#commitHeader();
  }

  async #scanLog(kind: LogKind, visitor: LineRangeVisitor, read: LogReadOptions = {}): Promise<void> {
    this.#assertOpen();
    const checkpoint = this.#header[kind];
    const genesis = genesisMac(this.#header.storeId, kind);
    const onWorker = read.macOnWorker ? new MacChainWorkerVerifier(this.#macKey, genesis, read.pool) : undefined;
    const verifier = onWorker ?? new MacChainVerifier(this.#macKey, genesis);
    const tampered = () => checkpointFailed(this.path, `a batch of its ${kind} log does not match its MAC`);
    const checked: LineRangeVisitor = {
      line: (buffer, start, end) => {
        if (buffer[start] === 0x4d && buffer[start + 1] === 0x09) {
          if (!verifier.seal(buffer.toString('latin1', start, end))) throw tampered();
          return undefined;
        }
        verifier.recordRange(buffer.buffer, buffer.byteOffset + start, buffer.byteOffset + end);
        return visitor.line(buffer, start, end);
      },
      bufferDone: async (buffer) => {
        // The buffer may be reused once the scan moves on (a pooled read): its pending range is handed over now.
        const waiting = verifier.endOfBuffer();
        if (waiting) await waiting;
        await visitor.bufferDone?.(buffer);
      },
    };
    try {
      const summary = await forEachLineRange(
        join(this.path, checkpoint.file),
        checkpoint.bytes,
        checked,
        read.chunkBytes,
        read.pool,
      );
      if (summary.bytesRead < checkpoint.bytes || summary.trailingBytes > 0) {
        throw checkpointFailed(this.path, `its ${kind} log ${checkpoint.file} ends before its checkpoint`);
      }
      const lastMac = onWorker ? await onWorker.finish() : (verifier as MacChainVerifier).lastMac;
      if (!verifier.sealed || verifier.records !== checkpoint.records || lastMac !== checkpoint.chain) {
        throw checkpointFailed(this.path, `its ${kind} log does not end where its checkpoint says`);
      }
    } catch (error) {
      throw error instanceof MacMismatch ? tampered() : error;
    } finally {
      await onWorker?.close();
    }
  }

  /** {@link #scanLog} for callers that want each line as its own Buffer view. */
  async #scanLogLines(kind: LogKind, onRecord: (line: Buffer) => void | Promise<void>): Promise<void> {
    await this.#scanLog(kind, { line: (buffer, start, end) => onRecord(buffer.subarray(start, end)) });
  }

  async #rewriteLog(
    kind: LogKind,
    produce: (write: (data: Buffer | string, addNewline: boolean) => Promise<void>) => Promise<number>,
  ): Promise<void> {
    this.#assertOpen();
    const previous = this.#header[kind].file;
    const file = generationName(kind, generationOf(previous) + 1);
    const path = join(this.path, file);
    const genesis = genesisMac(this.#header.storeId, kind);
    const writer = await BatchFileWriter.create(path, this.#macKey, genesis);
    let records: number;
    try {
      records = await produce((data, addNewline) => writer.write(data, addNewline));
    } catch (error) {
      await writer.abandon();
      throw error;
    }
    const { bytes, chain } = await writer.seal(genesis, records);
    this.#header = { ...this.#header, [kind]: { file, bytes, records, chain } };
    await this.#commitHeader();
    await rm(join(this.path, previous), { force: true });
    await fsyncDirectory(this.path);
  }

  #headerMac(): string {
    const { mac: _mac, ...rest } = this.#header;
    return hmacHex(this.#macKey, canonicalJson(rest));
  }

  async #commitHeader(): Promise<void> {
    this.#header = { ...this.#header, updatedAt: new Date().toISOString() };
    this.#header.mac = this.#headerMac();
    await writeFileAtomic(join(this.path, HEADER_FILE), `${JSON.stringify(this.#header, null, 2)}\n`, 0o600);
  }

  /** Generations a crash left uncommitted, and temp files of interrupted atomic writes. */
  /**
   * Records, durably and sealed with the store's MAC key, that an append past `checkpoint` is about to start. Open
   * accepts bytes past a checkpoint only when this marker names that log and that exact offset: a crash mid-append
   * leaves such a marker, while bytes appended by anyone else (who cannot seal one) are NS_E_DRM_CHECKPOINT_FAILED.
   * A marker naming an older offset is stale (its append was committed) and vouches for nothing.
   */
  async #markAppendPending(checkpoint: LogCheckpoint): Promise<void> {
    const marker = join(this.path, APPEND_PENDING_FILE);
    const text = JSON.stringify({ file: checkpoint.file, bytes: checkpoint.bytes, mac: this.#pendingMac(checkpoint) });
    const handle = await open(marker, 'w', 0o600);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (!this.#pendingMarkerDurable) {
      // Its name in the folder must survive a power cut too, once.
      await fsyncDirectory(this.path);
      this.#pendingMarkerDurable = true;
    }
  }

  async #appendWasPending(checkpoint: LogCheckpoint): Promise<boolean> {
    const text = await readFile(join(this.path, APPEND_PENDING_FILE), 'utf8').catch(() => undefined);
    if (text === undefined) return false;
    try {
      const marker = JSON.parse(text) as { file?: unknown; bytes?: unknown; mac?: unknown };
      return (
        marker.file === checkpoint.file &&
        marker.bytes === checkpoint.bytes &&
        typeof marker.mac === 'string' &&
        equalHex(marker.mac, this.#pendingMac(checkpoint))
      );
    } catch {
      return false;
    }
  }

  #pendingMac(checkpoint: LogCheckpoint): string {
    return hmacHex(
      this.#macKey,
      `coffer-drm append pending v1\n${this.#header.storeId}\n${checkpoint.file}\n${checkpoint.bytes}`,
    );
  }

  async #removeOrphans(): Promise<void> {
    const live = new Set([this.#header.licenses.file, this.#header.state.file, this.#header.keys.file]);
    for (const name of await readdir(this.path)) {
      if ((GENERATION_FILE.test(name) && !live.has(name)) || /\.coffer-.*\.tmp$/.test(name))
        await rm(join(this.path, name), { force: true });
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('This license store is closed.');
    if (this.#lock.compromised) throw storeBusyForManagement(this.path);
  }
}

/**
 * Writes a new log generation in 1 MiB writes, MAC'ing the records as they pass, and
 * seals them as one batch. An empty log stays empty: its checkpoint chain is the genesis.
 */
class BatchFileWriter {
  readonly #path: string;
  readonly #handle: FileHandle;
  readonly #hmac: Hmac;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #bytes = 0;

  private constructor(path: string, handle: FileHandle, hmac: Hmac) {
    this.#path = path;
    this.#handle = handle;
    this.#hmac = hmac;
  }

  static async create(path: string, key: Buffer, genesis: string): Promise<BatchFileWriter> {
    return new BatchFileWriter(
      path,
      await open(path, 'w', 0o600),
      createHmac('sha256', key).update(genesis).update('\n'),
    );
  }

  async write(data: Buffer | string, addNewline: boolean): Promise<void> {
    this.#push(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    if (addNewline) this.#push(NEWLINE);
    if (this.#pendingBytes >= 1 << 20) await this.#flush();
  }

  async seal(genesis: string, records: number): Promise<{ bytes: number; chain: string }> {
    let chain = genesis;
    if (records > 0) {
      chain = this.#hmac.digest('hex');
      const macLine = Buffer.from(`${MAC_LINE_PREFIX}${records}\t${chain}\n`, 'utf8');
      this.#pending.push(macLine);
      this.#pendingBytes += macLine.length;
    }
    await this.#flush();
    await this.#handle.sync();
    await this.#handle.close();
    return { bytes: this.#bytes, chain };
  }

  async abandon(): Promise<void> {
    await this.#handle.close().catch(() => undefined);
    await rm(this.#path, { force: true });
  }

  #push(bytes: Buffer): void {
    this.#hmac.update(bytes);
    this.#pending.push(bytes);
    this.#pendingBytes += bytes.length;
  }

  async #flush(): Promise<void> {
    if (this.#pendingBytes === 0) return;
    const chunk = Buffer.concat(this.#pending, this.#pendingBytes);
    this.#pending = [];
    this.#pendingBytes = 0;
    await this.#handle.write(chunk, 0, chunk.length, this.#bytes);
    this.#bytes += chunk.length;
  }
}

const NEWLINE = Buffer.from('\n');

function encodeState(lid: string, state: LicenseState): string {
  return `S\t${escapeField(lid)}\t${state.plays}\t${state.firstUse ?? '-'}\t${state.disabled ? 1 : 0}\n`;
}

function rootKey(secret: string, machineId: string): Buffer {
  return Buffer.concat([Buffer.from(secret, 'base64'), Buffer.from(`\0${machineId}`, 'utf8')]);
}

function bindingIdOf(bindingKey: Buffer): string {
  return sha256Hex(Buffer.concat([Buffer.from('coffer-drm/binding\0'), bindingKey])).slice(0, 32);
}

function generationName(kind: LogKind | 'keys', generation: number): string {
  return `${kind}-${String(generation).padStart(6, '0')}.${kind === 'keys' ? 'json' : 'log'}`;
}

function generationOf(file: string): number {
  const match = GENERATION_FILE.exec(file);
  return Number(match?.[2] ?? match?.[4] ?? 0);
}

function licensorTrust(licensor: LicensorKey): TrustedKey {
  return { keyId: licensor.id, publicKey: licensor.signing.publicKey, kind: 'licensor', name: licensor.name };
}

function withKey(keys: readonly TrustedKey[], key: TrustedKey): TrustedKey[] {
  return [...keys.filter((k) => k.publicKey !== key.publicKey), key];
}

function serializeKeys(keys: KeysFile): string {
  return `${JSON.stringify(keys, null, 2)}\n`;
}

function parseHeader(text: string, path: string): StoreHeader {
  let header: StoreHeader;
  try {
    header = JSON.parse(text) as StoreHeader;
  } catch (error) {
    throw datastoreCorrupt(path, `${HEADER_FILE} is not JSON`, error);
  }
  const checkpointOk = (c: LogCheckpoint | undefined) =>
    !!c &&
    typeof c.file === 'string' &&
    GENERATION_FILE.test(c.file) &&
    Number.isSafeInteger(c.bytes) &&
    Number.isSafeInteger(c.records) &&
    typeof c.chain === 'string';
  if (
    header?.format !== STORE_FORMAT ||
    header.version !== 1 ||
    typeof header.storeId !== 'string' ||
    typeof header.machine !== 'string' ||
    typeof header.mac !== 'string' ||
    !Array.isArray(header.trustedKeys) ||
    typeof header.keys?.file !== 'string' ||
    !GENERATION_FILE.test(header.keys.file) ||
    !checkpointOk(header.licenses) ||
    !checkpointOk(header.state)
  ) {
    throw datastoreCorrupt(path, `${HEADER_FILE} is not a version 1 Coffer license store header`);
  }
  return header;
}

function parseKeys(text: string, path: string): KeysFile {
  try {
    const keys = JSON.parse(text) as KeysFile;
    if (
      keys.format !== KEYS_FORMAT ||
      keys.version !== 1 ||
      typeof keys.secret !== 'string' ||
      !Array.isArray(keys.licensors)
    )
      throw new Error('wrong format');
    return keys;
  } catch (error) {
    throw datastoreCorrupt(path, 'its key file is not a Coffer store key file', error);
  }
}

export function storeNotFound(path: string): CofferError {
  return new CofferError(DrmLocalCode.StoreNotFound, `There is no license store at ${path}.`, {
    hresult: HRESULT.ERROR_PATH_NOT_FOUND,
    object: path,
    hint: "Create one with 'coffer drm create-store' (or point --store / COFFER_DRM_STORE at yours).",
  });
}
