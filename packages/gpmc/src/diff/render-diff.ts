/**
 * The diff as text (a `git diff --stat`-like summary, then each GPO's changes with old → new values) and as one
 * self-contained HTML page.
 */
import type { BackupsDiff, GpoChange, GpoDiff } from './diff-backups.js';
import { escapeHtml, gridTable, htmlPage, section } from './html-page.js';

const SIGN: Record<GpoChange['kind'], string> = { added: '+', removed: '-', changed: '~' };

function statLine(gpo: GpoDiff): string {
  if (gpo.status === 'onlyInA') return 'only in A';
  if (gpo.status === 'onlyInB') return 'only in B';
  const count = (kind: GpoChange['kind']) => gpo.changes.filter((c) => c.kind === kind).length;
  return `${gpo.changes.length} change${gpo.changes.length === 1 ? '' : 's'} (+${count('added')} -${count('removed')} ~${count('changed')})`;
}

/** One line, never a raw newline inside a value (a multi-line value is shown with `\n`). */
const oneLine = (value: string | null): string => (value ?? '').replace(/\r?\n/g, '\\n');

/** Text: a summary line per GPO that differs, a total, then the details. Unchanged GPOs are counted only. */
export function renderDiffText(diff: BackupsDiff): string {
  const lines: string[] = [];
  const differing = diff.gpos.filter((g) => g.status !== 'unchanged');
  const width = Math.min(60, Math.max(0, ...differing.map((g) => g.name.length)));
  for (const gpo of differing) lines.push(` ${gpo.name.padEnd(width)} | ${statLine(gpo)}`);
  const s = diff.summary;
  lines.push(
    ` ${s.gpos} GPO${s.gpos === 1 ? '' : 's'} compared: ${s.changed} changed, ${s.unchanged} unchanged, ${s.onlyInA} only in A, ${s.onlyInB} only in B; ${s.added} added, ${s.removed} removed, ${s.changedSettings} changed`,
  );
  for (const gpo of differing) {
    lines.push('', `GPO ${gpo.name} ${gpo.gpoId}${gpo.status === 'onlyInA' ? ' (only in A)' : gpo.status === 'onlyInB' ? ' (only in B)' : ''}`);
    if (gpo.a) lines.push(`  A: ${gpo.a.folder}${gpo.a.backupTime ? ` (${gpo.a.backupTime})` : ''}`);
    if (gpo.b) lines.push(`  B: ${gpo.b.folder}${gpo.b.backupTime ? ` (${gpo.b.backupTime})` : ''}`);
    for (const change of gpo.changes) {
      const where = change.item === change.scope ? change.item : `${change.scope}: ${change.item}`;
      if (change.kind === 'changed') lines.push(`  ${SIGN.changed} ${where}: ${oneLine(change.old)} → ${oneLine(change.new)}`);
      else lines.push(`  ${SIGN[change.kind]} ${where}: ${oneLine(change.kind === 'added' ? change.new : change.old)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** HTML: a summary table, then one section per differing GPO with its changes coloured added / removed / changed. */
export function renderDiffHtml(diff: BackupsDiff, options: { generatedAt?: Date } = {}): string {
  const s = diff.summary;
  const differing = diff.gpos.filter((g) => g.status !== 'unchanged');
  const summary = section(
    'section',
    'Summary',
    `<p>${escapeHtml(`${s.gpos} GPOs compared: ${s.changed} changed, ${s.unchanged} unchanged, ${s.onlyInA} only in A, ${s.onlyInB} only in B; ${s.added} added, ${s.removed} removed, ${s.changedSettings} changed.`)}</p>` +
      `<table><tr><th>A</th><td>${escapeHtml(diff.a)}</td></tr><tr><th>B</th><td>${escapeHtml(diff.b)}</td></tr></table>` +
      gridTable(['GPO', 'GUID', 'Differences'], differing.map((g) => [g.name, g.gpoId, statLine(g)])),
  );
  const details = differing
    .map((gpo) => {
      const rows = gpo.changes.map((c) => [c.kind, c.scope, c.item, c.old ?? '', c.new ?? '']);
      const body =
        `<table><tr><th>A</th><td>${escapeHtml(gpo.a ? `${gpo.a.folder} ${gpo.a.backupTime}` : 'absent')}</td></tr><tr><th>B</th><td>${escapeHtml(gpo.b ? `${gpo.b.folder} ${gpo.b.backupTime}` : 'absent')}</td></tr></table>` +
        (gpo.changes.length > 0 ? gridTable(['Change', 'Where', 'Item', 'Old', 'New'], rows, (i) => gpo.changes[i]!.kind) : `<p>${escapeHtml(statLine(gpo))}</p>`);
      return section('gpo', `${gpo.name} ${gpo.gpoId} — ${statLine(gpo)}`, body, gpo.gpoId);
    })
    .join('\n');
  return htmlPage('Coffer diff', `A: ${diff.a} — B: ${diff.b} — ${(options.generatedAt ?? new Date()).toISOString()}`, summary + details);
}
