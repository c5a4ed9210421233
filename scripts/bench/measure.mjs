// Timing helpers shared by the benchmarks: wall time of a child process, medians, and the
// facts about the machine that a reader needs to weigh the figures.
import { spawn, spawnSync } from 'node:child_process';
import { chmod, mkdir, open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os';

/**
 * Runs a command to completion and returns its wall time (ms), stdout (unless redirected to
 * `stdoutFile`) and stderr. Throws, with stderr, when it fails.
 */
export async function timed(command, args, { env, stdoutFile, cwd } = {}) {
  const out = stdoutFile ? await open(stdoutFile, 'w', 0o600) : undefined;
  try {
    const started = performance.now();
    const { code, signal, stdout, stderr } = await new Promise((resolve, reject) => {
      const child = spawn(command, args, {
        cwd,
        env: env ?? process.env,
        stdio: ['ignore', out ? out.fd : 'pipe', 'pipe'],
      });
      const stdoutChunks = [];
      const stderrChunks = [];
      child.stdout?.on('data', (chunk) => stdoutChunks.push(chunk));
      child.stderr.on('data', (chunk) => stderrChunks.push(chunk));
      child.on('error', reject);
      child.on('close', (exitCode, exitSignal) =>
        resolve({
          code: exitCode,
          signal: exitSignal,
          stdout: Buffer.concat(stdoutChunks).toString('utf8'),
          stderr: Buffer.concat(stderrChunks).toString('utf8'),
        }),
      );
    });
    const wallMs = performance.now() - started;
    if (code !== 0)
      throw new Error(
        `${command} ${args.join(' ')} ended with ${signal ?? `exit code ${code}`}: ${stderr.trim() || stdout.trim()}`,
      );
    return { wallMs, stdout, stderr };
  } finally {
    await out?.close();
  }
}

export function median(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function round(value, digits = 2) {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function firstLine(command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim().split('\n')[0] : `unavailable (${command})`;
}

/** What a reader needs to weigh the figures: cores, memory, versions, file system, load. */
export function machineFacts(workDir) {
  const df = spawnSync('df', ['--output=fstype,source', workDir], { encoding: 'utf8' });
  const [, fsLine] = df.stdout?.trim().split('\n') ?? [];
  return {
    nproc: firstLine('nproc', []),
    availableParallelism: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    kernel: release(),
    node: process.version,
    samba: firstLine('samba', ['--version']),
    smbclient: firstLine('smbclient', ['--version']),
    tar: firstLine('tar', ['--version']),
    workFileSystem: fsLine ? `${fsLine.trim().split(/\s+/).join(' on ')} (${workDir})` : `unknown (${workDir})`,
    loadAverage: loadavg().map((value) => round(value, 2)),
  };
}

/**
 * The DC's Administrator password in files only this user reads (never on a command line): `passwordFile` for
 * Coffer's --password-file, `authFile` for smbclient -A.
 */
export async function writeDomainSecrets(work, domain) {
  const secrets = join(work, 'secrets');
  await mkdir(secrets, { mode: 0o700 });
  const passwordFile = join(secrets, 'admin.password');
  await writeFile(passwordFile, `${domain.adminPassword}\n`, { mode: 0o600 });
  const authFile = join(secrets, 'smbclient.auth');
  await writeFile(
    authFile,
    `username = ${domain.adminUser}\npassword = ${domain.adminPassword}\ndomain = ${domain.netbiosDomain}\n`,
    { mode: 0o600 },
  );
  await chmod(passwordFile, 0o600);
  await chmod(authFile, 0o600);
  return { passwordFile, authFile };
}
