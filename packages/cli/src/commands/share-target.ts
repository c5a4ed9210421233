import {
  CofferError,
  HRESULT,
  invalidArgument,
  type StatusMessage,
  serializeError,
  toCofferError,
  type BackupOutput,
  type OperationResult,
} from '@coffer/core';
import { type Command, Option } from 'commander';
import type { CliContext } from '../cli-context.js';

/**
 * `--out`/`--from` given as an SMB share (`//server/share/folder`, `\\server\share\folder`): the work is done by
 * @coffer/active-directory (openShareDestination / downloadShareFolder), loaded only then, so a CLI that never
 * meets a share never loads it. The CLI only chooses the account and hands over a local folder.
 */
export function isShareTarget(value: unknown): value is string {
  return typeof value === 'string' && /^(\/\/|\\\\)[^/\\]/.test(value);
}

/** The share flags every verb that takes a folder accepts (see the CLI README, "Backups on an SMB share"). */
export interface ShareFlags {
  shareUser?: unknown;
  sharePasswordFile?: unknown;
}

/** `--share-user` and `--share-password-file`, on every verb whose folder may be a share. */
export function addShareOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--share-user <user>',
        'account for an SMB share folder (//server/share/folder): user@domain or DOMAIN\\user; default COFFER_SHARE_USER, else the provider’s --user',
      ),
    )
    .addOption(
      new Option(
        '--share-password-file <file>',
        'file holding that account’s password (first line); else COFFER_SHARE_PASSWORD_FILE, COFFER_SHARE_PASSWORD, the provider’s password, COFFER_PASSWORD',
      ),
    );
}

type ActiveDirectory = typeof import('@coffer/active-directory');

/**
 * @coffer/active-directory is an optional peer: an install with a Group Policy provider has it already, a DRM-only
 * install that writes to a share adds it.
 */
async function loadActiveDirectory(): Promise<ActiveDirectory> {
  try {
    return await import('@coffer/active-directory');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new CofferError('SMB_SHARE_UNSUPPORTED', 'Backup folders on an SMB share need @coffer/active-directory.', {
      hresult: HRESULT.ERROR_NOT_SUPPORTED,
      object: '@coffer/active-directory',
      hint: 'npm install @coffer/active-directory (beside @coffer/cli), and Samba’s smbclient (apt-get install smbclient).',
      cause: error,
    });
  }
}

/**
 * The account for the share: `--share-user` (else COFFER_SHARE_USER, else the provider's own `--user`), its
 * password from `--share-password-file` (else COFFER_SHARE_PASSWORD_FILE), else COFFER_SHARE_PASSWORD, else — only
 * when the account is the provider's — the provider's password (its `--password-file`, or COFFER_PASSWORD as the
 * provider read it). Never from a flag value, never prompted (a backup runs unattended).
 */
async function shareAccount(
  ad: ActiveDirectory,
  context: CliContext,
  server: string,
  flags: ShareFlags,
  providerOptions: Record<string, unknown> = {},
  report: (message: StatusMessage) => void = (message) => context.output.message(message),
) {
  const env = context.io.env;
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  const ownUser = text(flags.shareUser) ?? text(env.COFFER_SHARE_USER);
  const user = ownUser ?? text(providerOptions.user);
  if (user === undefined)
    throw invalidArgument(
      'An SMB share needs an account: give --share-user (or COFFER_SHARE_USER), e.g. --share-user Administrator@corp.example.',
      { object: 'share-user' },
    );
  const passwordFile =
    text(flags.sharePasswordFile) ??
    text(env.COFFER_SHARE_PASSWORD_FILE) ??
    (ownUser === undefined ? text(providerOptions.passwordFile) : undefined);
  const password =
    text(env.COFFER_SHARE_PASSWORD) ??
    (ownUser === undefined ? text(providerOptions.password) : undefined) ??
    text(env.COFFER_PASSWORD);
  const credentials = await ad.credentialsFromOptions(
    {
      user,
      dc: server,
      ...(typeof providerOptions.domain === 'string' && ownUser === undefined
        ? { domain: providerOptions.domain }
        : {}),
      ...(passwordFile === undefined ? {} : { passwordFile }),
      ...(password === undefined ? {} : { password }),
    },
    report,
  );
  context.output.addSecrets([credentials.password.reveal()]);
  return { user: credentials.user, domain: credentials.domain, password: credentials.password };
}

/**
 * Runs `run` on a private local copy of the share folder (list, verify, restore): downloaded whole and consistent
 * (see downloadShareFolder), removed afterwards. Returns undefined after printing the failure when the share
 * cannot be read.
 */
export async function withShareSource<T>(
  context: CliContext,
  target: string,
  flags: ShareFlags,
  run: (localDir: string) => Promise<T>,
  providerOptions?: Record<string, unknown>,
  report?: (message: StatusMessage) => void,
): Promise<T> {
  const ad = await loadActiveDirectory();
  const location = ad.parseSmbSharePath(target);
  const account = await shareAccount(ad, context, location.server, flags, providerOptions, report);
  const snapshot = await ad.downloadShareFolder(location, { account });
  try {
    return await run(snapshot.localDir);
  } finally {
    await snapshot.close();
  }
}

/**
 * A backup into a share folder: core writes and verifies the run in a private local folder that mirrors the share
 * (under the share's lock), then the run is published (see openShareDestination). A publish that fails turns the
 * result into a failure; paths in the output name the share, not the local copy.
 */
export async function backupToShare(
  context: CliContext,
  target: string,
  flags: ShareFlags,
  providerOptions: Record<string, unknown>,
  indexFile: string | undefined,
  run: (localDir: string) => Promise<OperationResult<BackupOutput>>,
  report: (message: StatusMessage) => void = (message) => context.output.message(message),
): Promise<OperationResult<BackupOutput>> {
  const ad = await loadActiveDirectory();
  const location = ad.parseSmbSharePath(target);
  const account = await shareAccount(ad, context, location.server, flags, providerOptions, report);
  const destination = await ad.openShareDestination(location, {
    account,
    ...(indexFile === undefined ? {} : { indexFile }),
    // --changed (the Group Policy providers) compares with the backups already there: they must be in the mirror.
    ...(providerOptions.changed === true ? { mirror: 'full' as const } : {}),
    // A dead run's lock taken over, its publish finished: told as the operation's own messages are.
    report,
  });
  try {
    const result = await run(destination.localDir);
    if (result.status !== 'succeeded' && result.status !== 'succeeded-with-warnings') return result;
    try {
      await destination.publish();
    } catch (error) {
      return { ...result, status: 'failed', output: undefined, error: serializeError(toCofferError(error, target)) };
    }
    const output = result.output && {
      ...result.output,
      backups: result.output.backups.map((backup) => ({
        ...backup,
        ...(typeof backup.path === 'string' && backup.path.startsWith(destination.localDir)
          ? { path: `${location.display}${backup.path.slice(destination.localDir.length)}` }
          : {}),
      })),
    };
    return { ...result, ...(output ? { output } : {}) };
  } finally {
    await destination.close();
  }
}
