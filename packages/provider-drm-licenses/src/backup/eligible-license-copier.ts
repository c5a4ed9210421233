import type { LicenseState } from '@coffer/drm-license-store';
import {
  type BackupRestriction,
  backupRestriction,
  datastoreCorrupt,
  FactsCache,
  FRESH_STATE,
  LicenseLineView,
  type LineRangeVisitor,
} from '@coffer/drm-license-store/backup';
import type { ByteChannel } from '../io/byte-channel.js';

const NEWLINE = 0x0a;

export interface RestrictedLicense {
  lid: string;
  kid: string;
  restriction: BackupRestriction;
}

export interface EligibleLicenseCopierOptions {
  storePath: string;
  /** Receives the eligible record lines, newline included (drmv2lic.bak). */
  licenses: ByteChannel;
  /** Receives one `LID\tKID\tPRIORITY\tSHA256\n` line per eligible license (drmv2man.bak). */
  manifest: ByteChannel;
  states: ReadonlyMap<string, LicenseState>;
  now: number;
  onRestricted(license: RestrictedLicense): void;
  /** After each read buffer: how many licenses it held, and the KID of its last one. */
  onProgress(licenses: number, lastKid: string): void;
  signal: AbortSignal;
  onCancel(): Error;
}

/**
 * The backup's hot loop, as a visitor of the licenses log (see LicenseStore.scanLicenseLineRanges).
 * Every license is still judged on its own (facts, state, clock), but nothing is allocated
 * per license: consecutive eligible records of a read buffer leave as one view of it, manifest
 * fields are copied straight into the manifest's chunk buffer, and a license whose facts bytes
 * equal the previous one's (licenses issued together share them) reuses its verdict.
 */
export class EligibleLicenseCopier implements LineRangeVisitor {
  eligible = 0;
  restricted = 0;
  readonly #options: EligibleLicenseCopierOptions;
  readonly #view = new LicenseLineView();
  readonly #facts = new FactsCache();
  readonly #checkState: boolean;
  /** The facts bytes last judged for a license without state, and that verdict. */
  #lastFacts = Buffer.alloc(0);
  #lastFreshVerdict: BackupRestriction | undefined;
  /** Eligible records not yet handed on: `run[start, end)` of one read buffer. */
  #run: Buffer | undefined;
  #runStart = 0;
  #runEnd = 0;
  #inBuffer = 0;
  #lastLine: { buffer: Buffer; start: number; end: number } = { buffer: Buffer.alloc(0), start: 0, end: 0 };

  constructor(options: EligibleLicenseCopierOptions) {
    this.#options = options;
    this.#checkState = options.states.size > 0;
  }

  line(buffer: Buffer, start: number, end: number): Promise<void> | undefined {
    const view = this.#view;
    try {
      view.load(buffer, start, end);
    } catch (error) {
      throw datastoreCorrupt(
        this.#options.storePath,
        `a license record is malformed (${(error as Error).message})`,
        error,
      );
    }
    this.#inBuffer += 1;
    this.#lastLine.buffer = buffer;
    this.#lastLine.start = start;
    this.#lastLine.end = end;
    const restriction = this.#restrictionOf(buffer, view);
    if (restriction !== undefined) {
      this.restricted += 1;
      const waiting = this.#flushRun();
      this.#options.onRestricted({ lid: view.lid, kid: view.kid, restriction });
      return waiting;
    }
    this.eligible += 1;
    const manifestWaiting = this.#options.manifest.pushCopy(buffer, view.manifestStart, view.manifestEnd, NEWLINE);
    let runWaiting: Promise<void> | undefined;
    if (this.#run === buffer && this.#runEnd === start) this.#runEnd = end + 1;
    else {
      runWaiting = this.#flushRun();
      this.#run = buffer;
      this.#runStart = start;
      this.#runEnd = end + 1;
    }
    if (manifestWaiting === undefined) return runWaiting;
    if (runWaiting === undefined) return manifestWaiting;
    return Promise.all([manifestWaiting, runWaiting]).then(() => undefined);
  }

  bufferDone(): Promise<void> | undefined {
    if (this.#options.signal.aborted) throw this.#options.onCancel();
    if (this.#inBuffer > 0) {
      const { buffer, start, end } = this.#lastLine;
      this.#view.load(buffer, start, end);
      this.#options.onProgress(this.#inBuffer, this.#view.kid);
      this.#inBuffer = 0;
    }
    // The next read may carry this buffer's torn last line: a run never spans two buffers.
    return this.#flushRun();
  }

  /** Hands on what is left; call once the scan is over. */
  finish(): Promise<void> | undefined {
    return this.#flushRun();
  }

  #restrictionOf(buffer: Buffer, view: LicenseLineView): BackupRestriction | undefined {
    const factsStart = view.factsStart;
    const factsEnd = view.factsEnd;
    if (this.#checkState) {
      const state = this.#options.states.get(view.lid);
      if (state !== undefined) return backupRestriction(this.#facts.get(view.factsText), state, this.#options.now);
    }
    const last = this.#lastFacts;
    if (factsEnd - factsStart === last.length && buffer.compare(last, 0, last.length, factsStart, factsEnd) === 0)
      return this.#lastFreshVerdict;
    const verdict = backupRestriction(this.#facts.get(view.factsText), FRESH_STATE, this.#options.now);
    this.#lastFacts = Buffer.from(buffer.subarray(factsStart, factsEnd));
    this.#lastFreshVerdict = verdict;
    return verdict;
  }

  #flushRun(): Promise<void> | undefined {
    const run = this.#run;
    if (run === undefined) return undefined;
    this.#run = undefined;
    return this.#options.licenses.push(run.subarray(this.#runStart, this.#runEnd));
  }
}
