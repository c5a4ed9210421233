import { createWriteStream } from 'node:fs';
import { lstat, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { once } from 'node:events';
import { CofferError, ErrorCode, eventLoopTurns, serializeError, toCofferError } from '@coffer/core';
import type { AdmxCatalog, BackupSnapshot } from '@coffer/gpmc';
import { loadGpmc, type GpmcModule } from './gpmc-loader.js';
import type { CliContext } from '../cli-context.js';
import { ExitCode } from '../output/exit-codes.js';
import { backupFolderProblem } from './backup-folder.js';
import { failWith, usageError } from './operation-output.js';

export type ReportFormat = 'html' | 'xml' | 'json';

export interface ReportFlags {
  backupId?: string[];
  gpo?: string[];
  format?: string;
  out?: string;
  admxDir?: string;
}

const SCHEMA_NS = 'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';

const braceless = (text: string): string => text.toLowerCase().replace(/[{}]/g, '');

/**
 * The backup folders a report covers: DIR itself when it is one backup folder; else the backups named by
 * --backup-id, or the newest backup of each GPO named by --gpo (name or GUID), or the newest of every GPO and
 * Starter GPO. Entries whose folder is gone or swapped are left out by searchBackups' `problem`.
 */
export async function selectBackupFolders(
  gpmc: GpmcModule,
  directory: string,
  backupIds: readonly string[],
  gpos: readonly string[],
  signal?: AbortSignal,
): Promise<string[]> {
  const info = await lstat(join(directory, 'bkupInfo.xml')).catch(() => null);
  if (info?.isFile()) return [directory];
  const entries = (await gpmc.searchBackups(directory, { signal })).filter((e) => !e.problem && e.hasFolder);
  if (backupIds.length > 0) {
    const folders: string[] = [];
    for (const id of backupIds) {
      const entry = entries.find((e) => braceless(e.id) === braceless(id));
      if (!entry)
        throw new CofferError(ErrorCode.NotFound, `No backup with id ${id} in ${directory}.`, {
          object: id,
          hint: `Run 'coffer list ${directory}' to see the backups.`,
        });
      folders.push(entry.folder);
    }
    return folders;
  }
  const newest = new Map<string, (typeof entries)[number]>();
  for (const entry of entries)
    if (!newest.has(entry.gpoGuid.toUpperCase())) newest.set(entry.gpoGuid.toUpperCase(), entry);
  let chosen = [...newest.values()];
  if (gpos.length > 0) {
    chosen = [];
    for (const gpo of gpos) {
      const entry = [...newest.values()].find(
        (e) => braceless(e.gpoGuid) === braceless(gpo) || e.displayName.toLowerCase() === gpo.toLowerCase(),
      );
      if (!entry)
        throw new CofferError(ErrorCode.NotFound, `No backup of a GPO named ${gpo} in ${directory}.`, {
          object: gpo,
          hint: `Run 'coffer list ${directory} --query "${gpo}"'.`,
        });
      chosen.push(entry);
    }
  }
  return chosen
    .sort((a, b) => a.displayName.localeCompare(b.displayName) || a.gpoGuid.localeCompare(b.gpoGuid))
    .map((e) => e.folder);
}

/** Writes the report piece by piece (one backup read at a time), to a temp file renamed into place or to stdout. */
async function writeReport(
  gpmc: GpmcModule,
  format: ReportFormat,
  folders: readonly string[],
  admx: AdmxCatalog | undefined,
  write: (chunk: string) => Promise<void>,
  signal: AbortSignal,
): Promise<BackupSnapshot[]> {
  const read: BackupSnapshot[] = [];
  const title = folders.length === 1 ? 'GPO settings report' : `Settings report of ${folders.length} GPOs`;
  const frame = gpmc.settingsReportHtmlFrame(title);
  if (format === 'html') await write(frame.start);
  else if (format === 'xml')
    await write(
      `<?xml version="1.0" encoding="utf-8"?>\r\n${folders.length === 1 ? '' : `<report ${SCHEMA_NS} xmlns="http://www.microsoft.com/GroupPolicy/Settings">\r\n`}`,
    );
  else await write('{"version":1,"backups":[');
  // Eight backups read at once (reading is mostly waiting on the disk), written in order; only those eight are held.
  const WINDOW = 8;
  // The backups are read synchronously (core's BackupReader): turns of the event loop let Ctrl-C's handler run.
  const turn = eventLoopTurns();
  for (let start = 0; start < folders.length; start += WINDOW) {
    await turn();
    if (signal.aborted) throw new CofferError(ErrorCode.Cancelled, 'The operation was cancelled.');
    const window = folders.slice(start, start + WINDOW);
    const rendered = await Promise.all(
      window.map(async (folder) => {
        const snapshot = await gpmc.readBackupSnapshot(folder, admx ? { admx } : {});
        const text =
          format === 'html'
            ? `${gpmc.renderGpoReportSection(snapshot)}\n`
            : format === 'xml'
              ? `${await gpmc.readGpoReportElement(snapshot)}\r\n`
              : JSON.stringify(snapshot);
        // Only the summary is kept for the result: the settings of hundreds of GPOs are not held at once.
        return {
          text,
          summary: {
            ...snapshot,
            settings: { ...snapshot.settings, computer: { extensions: [] }, user: { extensions: [] } },
          },
        };
      }),
    );
    for (const [offset, { text, summary }] of rendered.entries()) {
      read.push(summary);
      await write(format === 'json' ? `${start + offset === 0 ? '' : ','}\n${text}` : text);
    }
  }
  if (format === 'html') await write(frame.end);
  else if (format === 'xml') await write(folders.length === 1 ? '' : '</report>\r\n');
  else await write('\n]}\n');
  return read;
}

/** `coffer report DIR [--backup-id ID | --gpo NAME …] [--format html|xml|json] [--out FILE] [--admx-dir DIR]` */
export async function reportAction(context: CliContext, directory: string, flags: ReportFlags): Promise<void> {
  const format = (
    flags.format ??
    (flags.out?.toLowerCase().endsWith('.xml') ? 'xml' : flags.out?.toLowerCase().endsWith('.json') ? 'json' : 'html')
  ).toLowerCase();
  if (format !== 'html' && format !== 'xml' && format !== 'json') {
    usageError(context, `Unknown report format '${flags.format}'.`, 'Use --format html, xml or json.', 'report');
    return;
  }
  if ((flags.backupId?.length ?? 0) > 0 && (flags.gpo?.length ?? 0) > 0) {
    usageError(
      context,
      'Give --backup-id or --gpo, not both.',
      'coffer report <dir> --backup-id <id>, or coffer report <dir> --gpo <name>',
      'report',
    );
    return;
  }
  if (flags.out === undefined && context.output.json) {
    usageError(
      context,
      'With --json, name the report file with --out.',
      'coffer report <dir> --out report.html --json',
      'report',
    );
    return;
  }
  const path = resolve(context.io.cwd, directory);
  const out = flags.out === undefined ? undefined : resolve(context.io.cwd, flags.out);
  const temp =
    out === undefined ? undefined : join(dirname(out), `.${basename(out)}.coffer-${process.pid}-${Date.now()}.tmp`);
  let snapshots: BackupSnapshot[];
  try {
    const problem = await backupFolderProblem(path);
    if (problem) throw problem;
    const gpmc = await loadGpmc(context);
    const folders = await selectBackupFolders(gpmc, path, flags.backupId ?? [], flags.gpo ?? [], context.signal);
    if (folders.length === 0)
      throw new CofferError(ErrorCode.NotFound, `No GPO or Starter GPO backups in ${path}.`, {
        object: path,
        hint: 'Name the folder coffer backup gpo --out wrote to.',
      });
    const admx =
      flags.admxDir === undefined ? undefined : await gpmc.loadAdmxDirectory(resolve(context.io.cwd, flags.admxDir));
    if (temp === undefined) {
      snapshots = await writeReport(
        gpmc,
        format,
        folders,
        admx,
        async (chunk) => void context.io.stdout.write(chunk),
        context.signal,
      );
    } else {
      // Written beside the target and renamed: a cancelled or failed report never leaves half a file under its name.
      // A 1 MiB buffer: a report of hundreds of GPOs is written in a few large writes, not one thread-pool round trip
      // (and a wait for 'drain') per GPO section; memory stays bounded by it.
      const stream = createWriteStream(temp, { flags: 'wx', mode: 0o644, highWaterMark: 1024 * 1024 });
      // The file's error (a full disk), kept for the next write or the end to throw: an 'error' event nobody listens
      // to ends the process with a stack trace, and a write still in flight when a cancel destroys the stream emits one.
      let failed: Error | undefined;
      stream.on('error', (error) => {
        failed ??= error;
      });
      try {
        snapshots = await writeReport(
          gpmc,
          format,
          folders,
          admx,
          async (chunk) => {
            if (failed) throw failed;
            if (!stream.write(chunk)) await once(stream, 'drain');
          },
          context.signal,
        );
        // Asked before waiting too: 'finish' never comes after an error, and once() rejects only on one still to come.
        if (failed) throw failed;
        stream.end();
        await once(stream, 'finish');
        await rename(temp, out!);
      } catch (error) {
        stream.destroy();
        await rm(temp, { force: true });
        throw error;
      }
    }
  } catch (error) {
    const failure = toCofferError(error, path);
    failWith(
      context,
      serializeError(failure),
      failure.code === ErrorCode.Cancelled ? ExitCode.Cancelled : ExitCode.Failed,
      'report',
    );
    return;
  }
  const issues = snapshots.reduce((sum, s) => sum + s.problems.length + s.settings.issues.length, 0);
  const exitCode = issues > 0 ? ExitCode.CompletedWithWarnings : ExitCode.Succeeded;
  context.exitCode = exitCode;
  if (context.output.json) {
    context.output.line({
      type: 'result',
      operation: 'report',
      status: exitCode === ExitCode.Succeeded ? 'succeeded' : 'succeeded-with-warnings',
      exitCode,
      format,
      out,
      backups: snapshots.map((s) => ({
        id: s.backupId,
        gpoId: s.gpoId,
        name: s.name,
        kind: s.kind,
        problems: [...s.problems, ...s.settings.issues],
      })),
    });
    return;
  }
  if (out !== undefined)
    context.output.err(
      context.output.style.green(
        `Wrote the ${format} report of ${snapshots.length} backup${snapshots.length === 1 ? '' : 's'} to ${out}`,
      ),
    );
  if (issues > 0) {
    for (const s of snapshots)
      for (const p of [...s.problems, ...s.settings.issues])
        context.output.err(context.output.style.yellow(`warning ${s.name} ${p.file}: ${p.code}: ${p.message}`));
  }
}
