/**
 * The diff as text (a `git diff --stat`-like summary, then each GPO's changes with old → new values) and as one
 * self-contained HTML page.
 */
import type { BackupsDiff, GpoChange, GpoDiff } from './diff-backups.js';
import { escapeHtml, gridTable, htmlPage, section } from './html-page.js';

/** A value's leaves by path (`properties.path`), when it is a JSON object or array; null for plain text. */
function leaves(value: string | null): Map<string, string> | null {
  if (value === null || !/^[[{]/.test(value)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return null;
  }
  const out = new Map<string, string>();
  const walk = (node: unknown, path: string): void => {
    if (node !== null && typeof node === 'object') {
      const entries = Object.entries(node as Record<string, unknown>);
      if (entries.length === 0) out.set(path, Array.isArray(node) ? '[]' : '{}');
      for (const [key, child] of entries) walk(child, path ? `${path}.${key}` : key);
    } else out.set(path, typeof node === 'string' ? node : JSON.stringify(node)); // strings as an admin types them
  };
  walk(parsed, '');
  return out;
}

/**
 * For a changed structured setting (a preference item, a restricted group), only the fields that differ, so the
 * reader sees `properties.path: \\files\home → \\files2\home` instead of two whole items.
 */
export function changedFields(change: GpoChange): { old: string; new: string } | null {
  if (change.kind !== 'changed') return null;
  const a = leaves(change.old);
  const b = leaves(change.new);
  if (!a || !b) return null;
  const keys = [...new Set([...a.keys(), ...b.keys()])].filter((key) => a.get(key) !== b.get(key));
  return {
    old: keys.map((key) => `${key}: ${a.get(key) ?? '(none)'}`).join('\n'),
    new: keys.map((key) => `${key}: ${b.get(key) ?? '(none)'}`).join('\n'),
  };
}

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
    lines.push(
      '',
      `GPO ${gpo.name} ${gpo.gpoId}${gpo.status === 'onlyInA' ? ' (only in A)' : gpo.status === 'onlyInB' ? ' (only in B)' : ''}`,
    );
    if (gpo.a) lines.push(`  A: ${gpo.a.folder}${gpo.a.backupTime ? ` (${gpo.a.backupTime})` : ''}`);
    if (gpo.b) lines.push(`  B: ${gpo.b.folder}${gpo.b.backupTime ? ` (${gpo.b.backupTime})` : ''}`);
    for (const change of gpo.changes) {
      const where = change.item === change.scope ? change.item : `${change.scope}: ${change.item}`;
      const fields = changedFields(change);
      if (fields)
        for (const [index, line] of fields.old.split('\n').entries())
          lines.push(`  ${SIGN.changed} ${where}: ${line} → ${fields.new.split('\n')[index]!.replace(/^[^:]*: /, '')}`);
      else if (change.kind === 'changed')
        lines.push(`  ${SIGN.changed} ${where}: ${oneLine(change.old)} → ${oneLine(change.new)}`);
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
      gridTable(
        ['GPO', 'GUID', 'Differences'],
        differing.map((g) => [g.name, g.gpoId, statLine(g)]),
      ),
  );
  const details = differing
    .map((gpo) => {
      const rows = gpo.changes.map((c) => {
        const fields = changedFields(c);
        return [c.kind, c.scope, c.item, fields?.old ?? c.old ?? '', fields?.new ?? c.new ?? ''];
      });
      const body =
        `<table><tr><th>A</th><td>${escapeHtml(gpo.a ? `${gpo.a.folder} ${gpo.a.backupTime}` : 'absent')}</td></tr><tr><th>B</th><td>${escapeHtml(gpo.b ? `${gpo.b.folder} ${gpo.b.backupTime}` : 'absent')}</td></tr></table>` +
        (gpo.changes.length > 0
          ? gridTable(['Change', 'Where', 'Item', 'Old', 'New'], rows, (i) => gpo.changes[i]!.kind)
          : `<p>${escapeHtml(statLine(gpo))}</p>`);
      return section('gpo', `${gpo.name} ${gpo.gpoId} — ${statLine(gpo)}`, body, gpo.gpoId);
    })
    .join('\n');
  return htmlPage(
    'Coffer diff',
    `A: ${diff.a} — B: ${diff.b} — ${(options.generatedAt ?? new Date()).toISOString()}`,
    summary + details,
  );
}
