import { randomBytes } from 'node:crypto';
import { link, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { descendantsOf, isAlive, signalProcesses, workingDirectoryOf } from './process-tree.js';
import { removeHostsEntry } from './hosts-file.js';

/** Root of every test DC's bookkeeping: one claim file per loopback address. */
export function registryRoot(): string {
  return process.env.COFFER_TEST_DC_ROOT ?? join(tmpdir(), 'coffer-dc');
}

/** What a running (or crashed) test DC left behind, keyed by its loopback address. */
export interface DcClaim {
  address: string;
  workDir: string;
  realm: string;
  /** The process that started the DC; when it is gone (and the DC is not detached) the DC is stale. */
  ownerPid: number;
  sambaPid: number | null;
  detached: boolean;
  createdAt: string;
}

function claimPath(address: string): string {
  return join(registryRoot(), 'claims', `${address}.json`);
}

/**
 * A claim file appears whole or not at all: its content is written to a private temp file first, then linked
 * (claim: fails if the name exists) or renamed (update) into place. Written in place, another process's sweep
 * could read it empty, take it for a dead process's half-written claim and remove a live DC's claim.
 */
async function placeClaim(claim: DcClaim, exclusive: boolean): Promise<void> {
  const target = claimPath(claim.address);
  const temp = `${target}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temp, JSON.stringify(claim, null, 2), { mode: 0o600 });
  try {
    if (exclusive) await link(temp, target);
    else await rename(temp, target);
  } finally {
    if (exclusive) await rm(temp, { force: true });
  }
}

/** Takes the address atomically; false when another live DC holds it. Stale claims are swept first. */
export async function claimAddress(claim: DcClaim): Promise<boolean> {
  await mkdir(join(registryRoot(), 'claims'), { recursive: true, mode: 0o700 });
  try {
    await placeClaim(claim, true);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return false;
  }
}

export async function updateClaim(claim: DcClaim): Promise<void> {
  await placeClaim(claim, false);
}

export async function releaseClaim(address: string): Promise<void> {
  await rm(claimPath(address), { force: true });
}

export function releaseClaimSync(address: string): void {
  rmSync(claimPath(address), { force: true });
}

export async function readClaims(): Promise<DcClaim[]> {
  let names: string[];
  try {
    names = await readdir(join(registryRoot(), 'claims'));
  } catch {
    return [];
  }
  const claims: DcClaim[] = [];
  for (const name of names.filter((n) => n.endsWith('.json'))) {
    try {
      claims.push(JSON.parse(await readFile(join(registryRoot(), 'claims', name), 'utf8')) as DcClaim);
    } catch {
      // half-written claim of a process that died mid-write: the sweeper removes it below
      const address = name.replace(/\.json$/, '');
      claims.push({ address, workDir: '', realm: '', ownerPid: -1, sambaPid: null, detached: false, createdAt: '' });
    }
  }
  return claims;
}

/** Guards against PID reuse: the process must still run in the DC's folder (samba is started with it as cwd). */
export function sambaBelongsTo(pid: number, workDir: string): boolean {
  return workDir !== '' && workingDirectoryOf(pid) === workDir;
}

/**
 * A claim is stale when nothing lives that would stop its DC. A detached DC outlives its owner once samba runs, so
 * from then on samba is what counts; before that (provisioning and seeding take seconds, and the claim has no
 * samba PID yet) the DC belongs to its owner like any other, and is live for as long as the owner is.
 */
export function isClaimStale(claim: DcClaim): boolean {
  const ownerAlive = claim.ownerPid > 0 && isAlive(claim.ownerPid);
  if (claim.detached && claim.sambaPid !== null)
    return !isAlive(claim.sambaPid) || !sambaBelongsTo(claim.sambaPid, claim.workDir);
  return !ownerAlive;
}

/** Kills samba and everything it started, waiting up to `graceMs` for a clean exit before SIGKILL. */
export async function killSambaTree(sambaPid: number, graceMs = 5_000): Promise<void> {
  const tree = [sambaPid, ...descendantsOf(sambaPid)];
  signalProcesses(sambaPid, tree, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && tree.some(isAlive)) await sleep(50);
  const left = tree.filter(isAlive);
  if (left.length > 0) signalProcesses(sambaPid, left, 'SIGKILL');
  const hardDeadline = Date.now() + 2_000;
  while (Date.now() < hardDeadline && left.some(isAlive)) await sleep(20);
}

/** Removes DCs whose test run died without stopping them: kills samba, drops the hosts line, deletes the folder. */
export async function sweepStaleDomains(log: (line: string) => void = () => undefined): Promise<number> {
  let swept = 0;
  for (const claim of await readClaims()) {
    if (!isClaimStale(claim)) continue;
    if (claim.sambaPid !== null && isAlive(claim.sambaPid) && sambaBelongsTo(claim.sambaPid, claim.workDir)) {
      await killSambaTree(claim.sambaPid);
    }
    if (claim.workDir !== '') {
      await removeHostsEntry(registryRoot(), claim.workDir);
      await rm(claim.workDir, { recursive: true, force: true });
    }
    await releaseClaim(claim.address);
    log(`swept stale test DC ${claim.address} (${claim.workDir || 'unknown folder'})`);
    swept += 1;
  }
  return swept;
}

/** True when something accepts TCP connections on address:port. */
export function portAnswers(address: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = connect({ host: address, port });
    const done = (answer: boolean) => {
      socket.destroy();
      resolvePromise(answer);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export const DC_PORTS = [88, 135, 139, 389, 445, 464, 636, 3268, 3269] as const;

export async function addressIsFree(address: string): Promise<boolean> {
  for (const port of [389, 445, 636]) if (await portAnswers(address, port, 300)) return false;
  return true;
}

export function isLoopbackAddress(address: string): boolean {
  const match = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  if (!match) return false;
  const parts = match.slice(1).map(Number);
  return (
    parts.every((p) => p >= 0 && p <= 255) &&
    !(parts[0] === 0 && parts[1] === 0 && (parts[2] === 0 || parts[2] === 1 || parts[2] === 255))
  );
}
