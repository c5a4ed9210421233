import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { applySeed } from './seed/apply-seed.js';
import {
  addressIsFree,
  claimAddress,
  isLoopbackAddress,
  killSambaTree,
  registryRoot,
  releaseClaim,
  releaseClaimSync,
  sambaBelongsTo,
  sweepStaleDomains,
  updateClaim,
  type DcClaim,
} from './system/dc-registry.js';
import { addHostsEntry, removeHostsEntry, removeHostsEntrySync } from './system/hosts-file.js';
import { descendantsOf, signalProcesses } from './system/process-tree.js';
import { provisionDomain } from './system/provision.js';
import { ensureSambaInstalled } from './system/samba-install.js';
import { spawnSamba, waitUntilReady } from './system/samba-process.js';
import { dcLayout, renderSmbConf, type DcLayout } from './system/smb-conf.js';
import { writeDcCertificates } from './system/tls-certificates.js';
import type { StartTestDomainOptions, TestDomain, TestDomainInfo } from './types.js';

export const STATE_FILE_NAME = 'coffer-test-domain.json';
const FIRST_AUTO_ADDRESS = 20;

function seconds(since: number): number {
  return Math.round((performance.now() - since) / 10) / 100;
}

async function pickAddress(requested: string | undefined, claimFor: (address: string) => DcClaim): Promise<string> {
  if (requested !== undefined) {
    if (!isLoopbackAddress(requested) || requested === '127.0.0.1') {
      throw new Error(
        `address ${requested} is not a usable loopback address: use 127.0.0.2 … 127.0.0.254 (127.0.0.1 is left to other services).`,
      );
    }
    if (!(await claimAddress(claimFor(requested))))
      throw new Error(`Another test DC is already running on ${requested}.`);
    if (!(await addressIsFree(requested))) {
      await releaseClaim(requested);
      throw new Error(`Something already listens on ${requested} (LDAP or SMB ports): choose another address.`);
    }
    return requested;
  }
  for (let last = FIRST_AUTO_ADDRESS; last < 255; last++) {
    const candidate = `127.0.0.${last}`;
    if (!(await claimAddress(claimFor(candidate)))) continue;
    if (await addressIsFree(candidate)) return candidate;
    await releaseClaim(candidate);
  }
  throw new Error('No free loopback address between 127.0.0.20 and 127.0.0.254.');
}

async function prepareWorkDir(requested: string | undefined): Promise<string> {
  const workDir = requested ?? join(registryRoot(), `dc-${randomBytes(4).toString('hex')}`);
  // Created when missing, with its parents (mkdir -p), private: it will hold the domain's keys and passwords.
  await mkdir(workDir, { recursive: true, mode: 0o700 });
  if ((await readdir(workDir)).length > 0)
    throw new Error(`workDir ${workDir} is not empty: the test DC needs a folder of its own.`);
  return workDir;
}

/** Live DCs of this process, stopped synchronously if the process exits without calling stop(). */
const liveDomains = new Set<{ pid: number; workDir: string; address: string }>();
let exitHooksInstalled = false;

function killAllSync(): void {
  for (const dc of liveDomains) {
    signalProcesses(dc.pid, [dc.pid, ...descendantsOf(dc.pid)], 'SIGKILL');
    removeHostsEntrySync(dc.workDir);
    rmSync(dc.workDir, { recursive: true, force: true });
    releaseClaimSync(dc.address);
  }
  liveDomains.clear();
}

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on('exit', killAllSync);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const handler = () => {
      killAllSync();
      // Keep the signal's normal effect when nobody else handles it.
      if (process.listenerCount(signal) === 1) {
        process.off(signal, handler);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, handler);
  }
}

/**
 * Provisions, optionally seeds, and starts a throwaway Samba AD DC on its own loopback address.
 * See the package README for what the seed contains.
 */
export async function startTestDomain(options: StartTestDomainOptions = {}): Promise<TestDomain> {
  const log = options.log ?? (() => undefined);
  const started = performance.now();
  const realm = (options.realm ?? 'COFFER.TEST').toUpperCase();
  const dnsDomain = realm.toLowerCase();
  const netbiosDomain = (options.netbiosDomain ?? realm.split('.')[0] ?? 'COFFER').toUpperCase().slice(0, 15);
  const baseDn = dnsDomain
    .split('.')
    .map((label) => `DC=${label}`)
    .join(',');
  const dcHostname = `dc1.${dnsDomain}`;
  const detached = options.detached === true;

  let phase = performance.now();
  await ensureSambaInstalled(log);
  const installCheckSeconds = seconds(phase);
  await sweepStaleDomains(log);

  const workDir = await prepareWorkDir(options.workDir);
  const layout = dcLayout(workDir);
  const claim = (address: string): DcClaim => ({
    address,
    workDir,
    realm,
    ownerPid: process.pid,
    sambaPid: null,
    detached,
    createdAt: new Date().toISOString(),
  });
  let address: string;
  try {
    address = await pickAddress(options.address, claim);
  } catch (error) {
    await rm(workDir, { recursive: true, force: true });
    throw error;
  }

  let child: ChildProcess | null = null;
  let sambaPid: number | null = null;
  const tracked = { pid: 0, workDir, address };
  const cleanUp = async () => {
    if (sambaPid !== null) await killSambaTree(sambaPid);
    liveDomains.delete(tracked);
    await removeHostsEntry(registryRoot(), workDir);
    await rm(workDir, { recursive: true, force: true });
    await releaseClaim(address);
  };

  try {
    installExitHooks();
    phase = performance.now();
    const adminPassword = await provisionDomain({ layout, realm, netbiosDomain, address });
    await writeFile(layout.smbConfPath, renderSmbConf({ layout, realm, netbiosDomain, dnsDomain, address }));
    await writeDcCertificates(layout.tlsDir, dcHostname, dnsDomain, address);
    const provisionSeconds = seconds(phase);
    log(`provisioned ${realm} in ${provisionSeconds} s`);

    phase = performance.now();
    const seedOptions = options.seed;
    const seed = seedOptions
      ? await applySeed({
          layout,
          baseDn,
          dnsDomain,
          netbiosDomain,
          extraGpos: typeof seedOptions === 'object' ? (seedOptions.extraGpos ?? 0) : 0,
          log,
        })
      : undefined;
    const seedSeconds = seconds(phase);
    if (seed) log(`seeded ${seed.gpos.length} GPOs in ${seedSeconds} s`);

    phase = performance.now();
    await addHostsEntry(registryRoot(), address, [dcHostname], workDir);
    child = await spawnSamba(layout, detached);
    if (child.pid === undefined) throw new Error('samba could not be started (no PID).');
    sambaPid = child.pid;
    tracked.pid = sambaPid;
    if (!detached) liveDomains.add(tracked);
    await updateClaim({ ...claim(address), sambaPid });
    await waitUntilReady(child, sambaPid, layout, address, dcHostname, options.startTimeoutMs ?? 90_000);
    const startSeconds = seconds(phase);
    log(`samba answered on ${address} in ${startSeconds} s`);

    const info: TestDomainInfo = {
      realm,
      dnsDomain,
      netbiosDomain,
      baseDn,
      dcHostname,
      address,
      adminUser: 'Administrator',
      adminPassword,
      caFile: join(layout.tlsDir, 'ca.pem'),
      sysvolPath: layout.sysvolPath,
      samLdbPath: layout.samLdbPath,
      smbConfPath: layout.smbConfPath,
      workDir,
      sambaPid,
      timings: { installCheckSeconds, provisionSeconds, seedSeconds, startSeconds, totalSeconds: seconds(started) },
      ...(seed ? { seed } : {}),
    };
    await writeFile(join(workDir, STATE_FILE_NAME), JSON.stringify(info, null, 2), { mode: 0o600 });
    return liveHandle(info, layout, cleanUp, () => sambaPid);
  } catch (error) {
    await cleanUp().catch(() => undefined);
    throw error;
  }
}

function liveHandle(
  info: TestDomainInfo,
  _layout: DcLayout,
  cleanUp: () => Promise<void>,
  pidOf: () => number | null,
): TestDomain {
  let stopped: Promise<void> | null = null;
  let killed = false;
  return {
    ...info,
    info: () => info,
    async kill() {
      const pid = pidOf();
      if (pid !== null && !killed) {
        killed = true;
        await killSambaTree(pid);
      }
    },
    stop() {
      stopped ??= cleanUp();
      return stopped;
    },
  };
}

/** Stops a DC started with `detached: true` (or by `coffer-test-domain up --detach`), given its work folder. */
export async function stopDetachedTestDomain(workDir: string): Promise<boolean> {
  let info: TestDomainInfo;
  try {
    info = JSON.parse(await readFile(join(workDir, STATE_FILE_NAME), 'utf8')) as TestDomainInfo;
  } catch {
    return false;
  }
  if (sambaBelongsTo(info.sambaPid, workDir)) await killSambaTree(info.sambaPid);
  await removeHostsEntry(registryRoot(), workDir);
  await rm(workDir, { recursive: true, force: true });
  await releaseClaim(info.address);
  return true;
}

/** Reads the state file a running DC wrote into its work folder. */
export async function readTestDomainInfo(workDir: string): Promise<TestDomainInfo> {
  return JSON.parse(await readFile(join(workDir, STATE_FILE_NAME), 'utf8')) as TestDomainInfo;
}
