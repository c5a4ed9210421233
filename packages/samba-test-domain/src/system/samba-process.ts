import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, open, readFile } from 'node:fs/promises';
import { connect as tlsConnect } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { portAnswers } from './dc-registry.js';
import { tail } from './run-command.js';
import type { DcLayout } from './smb-conf.js';

/**
 * Runs samba in its own mount namespace with the DC's run folder mounted over /run/samba: smbd finds winbindd
 * only through the compiled-in /run/samba/winbindd, so without this two DCs would share (and break) one socket.
 * Standard input is a pipe we never write: samba -i stops on EOF, so the DC dies with the process that started it,
 * even after a SIGKILL. Detached DCs get /dev/null and live until stopped.
 */
export async function spawnSamba(layout: DcLayout, detached: boolean): Promise<ChildProcess> {
  await mkdir(layout.runSambaDir, { recursive: true });
  await mkdir(layout.logDir, { recursive: true });
  const logHandle = await open(layout.sambaLogFile, 'a');
  const script =
    'mkdir -p /run/samba && mount --bind "$1" /run/samba && exec samba -i -M single -s "$2" --debug-stdout';
  try {
    const child = spawn(
      'unshare',
      [
        '--mount',
        '--propagation',
        'private',
        '--',
        'sh',
        '-c',
        script,
        'coffer-samba',
        layout.runSambaDir,
        layout.smbConfPath,
      ],
      {
        cwd: layout.workDir,
        detached: true,
        stdio: [detached ? 'ignore' : 'pipe', logHandle.fd, logHandle.fd],
        env: { ...process.env, KRB5_CONFIG: `${layout.privateDir}/krb5.conf` },
      },
    );
    if (detached) child.unref();
    return child;
  } finally {
    await logHandle.close();
  }
}

export async function sambaLogTail(layout: DcLayout): Promise<string> {
  try {
    return tail(await readFile(layout.sambaLogFile, 'utf8'), 2000);
  } catch {
    return '(no samba log)';
  }
}

function tlsHandshakeSucceeds(address: string, servername: string, ca: Buffer): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = tlsConnect({ host: address, port: 636, servername, ca, timeout: 2_000 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolvePromise(ok);
    };
    socket.once('secureConnect', () => done(socket.authorized));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

/** Waits until SMB answers and LDAPS completes a verified TLS handshake; fails early when samba exits. */
export async function waitUntilReady(
  child: ChildProcess | null,
  pid: number,
  layout: DcLayout,
  address: string,
  dcHostname: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: string | null = null;
  child?.once('exit', (code, signal) => {
    exited = `exit ${code ?? signal}`;
  });
  while (Date.now() < deadline) {
    if (exited !== null || (child === null && !isRunning(pid))) {
      throw new Error(`samba stopped during start-up (${exited ?? 'gone'}). Log tail:\n${await sambaLogTail(layout)}`);
    }
    if ((await portAnswers(address, 445, 300)) && (await portAnswers(address, 636, 300))) {
      try {
        const ca = await readFile(`${layout.tlsDir}/ca.pem`);
        if (await tlsHandshakeSucceeds(address, dcHostname, ca)) return;
      } catch {
        // CA not written yet (Samba generating its own certificate)
      }
    }
    await sleep(100);
  }
  throw new Error(
    `samba did not answer on ${address}:445 and :636 within ${timeoutMs} ms. Log tail:\n${await sambaLogTail(layout)}`,
  );
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
