/**
 * renderSettingsReportHtml: the settings report of one or many backups as one self-contained HTML page, laid out as
 * GPMC's report: per GPO a summary (name, GUID, domain, owner, created/modified, versions AD/SYSVOL, status), links,
 * security filtering, WMI filtering, delegation, then Computer and User configuration by extension.
 */
import type { ExtensionSettings } from '../settings/model.js';
import type { BackupSnapshot } from './backup-snapshot.js';
import { escapeHtml, factTable, gridTable, htmlPage, htmlPageParts, section } from './html-page.js';
import { settingItems } from './setting-items.js';

function extensionBody(extension: ExtensionSettings): string {
  if (extension.kind === 'registry') {
    // GPMC's layout: policies by category, then "Extra Registry Settings" for records no ADMX describes.
    const policies = gridTable(
      ['Policy', 'Setting', 'Category', 'Values'],
      extension.policies.map((p) => [
        p.name,
        p.state,
        p.category,
        p.elements
          .map((e) => `${e.label}: ${typeof e.value === 'string' ? e.value : JSON.stringify(e.value)}`)
          .join('\n'),
      ]),
    );
    const extra = gridTable(
      ['Setting', 'Value'],
      extension.extra.map((e) => [
        `${e.key}\\${e.valueName}`,
        `${e.typeName} ${typeof e.data === 'string' ? e.data : JSON.stringify(e.data)}`,
      ]),
    );
    return `${extension.policies.length > 0 ? section('category', 'Policies', policies) : ''}${extension.extra.length > 0 ? section('category', 'Extra Registry Settings', extra) : ''}`;
  }
  if (extension.kind === 'other') {
    return factTable([
      ['Extension', extension.guid ? `${extension.name} ${extension.guid}` : 'Files no extension claims'],
      ['Files', extension.files.join('\n')],
    ]);
  }
  // The setting rows are made only here: a Registry or other extension (most of a domain's GPOs) lays out its own.
  const single = { version: 1 as const, computer: { extensions: [extension] }, user: { extensions: [] }, issues: [] };
  return gridTable(
    ['Setting', 'Value'],
    settingItems(single).map((item) => [item.setting, item.value]),
  );
}

/** One GPO's part of the report (a `<details class="gpo">`), for writing a long report GPO by GPO. */
export function renderGpoReportSection(snapshot: BackupSnapshot): string {
  const v = snapshot.versions;
  const summary = factTable([
    ['Name', snapshot.name],
    ['GUID', snapshot.gpoId],
    ['Kind', snapshot.kind === 'StarterGPO' ? 'Starter GPO' : 'GPO'],
    ['Domain', snapshot.domain],
    ['Owner', snapshot.owner ? `${snapshot.owner.name} (${snapshot.owner.sid})` : ''],
    ['Created', snapshot.createdTime],
    ['Modified', snapshot.modifiedTime],
    ['Computer revisions', `AD (${v.computer.ad}), SYSVOL (${v.computer.sysvol})`],
    ['User revisions', `AD (${v.user.ad}), SYSVOL (${v.user.sysvol})`],
    ['GPO Status', snapshot.status],
    ['Backup', `${snapshot.backupId} ${snapshot.backupTime}${snapshot.comment ? ` — ${snapshot.comment}` : ''}`],
  ]);
  const links = gridTable(
    ['Location', 'Order', 'Enforced', 'Link Status', 'Path'],
    snapshot.links.map((l) => [
      l.somName,
      l.order,
      l.enforced ? 'Yes' : 'No',
      l.enabled ? 'Enabled' : 'Disabled',
      l.somPath,
    ]),
  );
  const filtering =
    snapshot.securityFiltering.length > 0
      ? `<table class="grid"><tr><th>Name</th></tr>${snapshot.securityFiltering.map((n) => `<tr><td>${escapeHtml(n)}</td></tr>`).join('')}</table>`
      : '<p class="muted">None</p>';
  const wmi = snapshot.wmiFilter
    ? factTable([
        ['WMI Filter Name', snapshot.wmiFilter.name],
        ['Id', snapshot.wmiFilter.id],
      ])
    : '<p class="muted">&lt;none&gt;</p>';
  const delegation =
    gridTable(
      ['Name', 'Allowed Permissions', 'Type'],
      snapshot.delegation.map((d) => [d.name || d.sid, d.permission, d.type]),
    ) +
    section(
      'category',
      'Access control entries',
      gridTable(
        ['Trustee', 'SID', 'ACE'],
        snapshot.aces.map((a) => [a.name ?? '', a.sid, a.sddl]),
      ),
    );
  const sides = (['computer', 'user'] as const)
    .map((side) => {
      const title = side === 'computer' ? 'Computer Configuration (Enabled)' : 'User Configuration (Enabled)';
      const disabled = side === 'computer' ? (snapshot.flags & 2) !== 0 : (snapshot.flags & 1) !== 0;
      const extensions = snapshot.settings[side].extensions;
      const body =
        extensions.length > 0
          ? extensions.map((e) => section('extension', e.name, extensionBody(e))).join('')
          : '<p class="muted">No settings defined.</p>';
      return section(
        'section',
        disabled ? title.replace('Enabled', 'Disabled') : title,
        body,
        `${snapshot.backupId}-${side}`,
      );
    })
    .join('');
  const issues = [...snapshot.problems, ...snapshot.settings.issues];
  const problems =
    issues.length > 0
      ? section(
          'section',
          'Problems reading the backup',
          gridTable(
            ['File', 'Code', 'Message'],
            issues.map((p) => [p.file, p.code, p.message]),
          ),
        )
      : '';
  return section(
    'gpo',
    `${snapshot.name} ${snapshot.gpoId}`,
    [
      section('section', 'Details', summary),
      section('section', 'Links', links),
      section(
        'section',
        'Security Filtering',
        `<p class="muted">The settings in this GPO can only apply to the following groups, users, and computers:</p>${filtering}`,
      ),
      section('section', 'WMI Filtering', wmi),
      section('section', 'Delegation', delegation),
      sides,
      problems,
    ].join(''),
    snapshot.backupId,
  );
}

/** One self-contained HTML page with the settings report of every snapshot given. */
export function renderSettingsReportHtml(
  snapshots: readonly BackupSnapshot[],
  options: { title?: string; generatedAt?: Date } = {},
): string {
  const title =
    options.title ??
    (snapshots.length === 1
      ? `${snapshots[0]!.name} — settings report`
      : `Settings report of ${snapshots.length} GPOs`);
  const when = (options.generatedAt ?? new Date()).toISOString();
  return htmlPage(title, `Generated by Coffer from backups, ${when}`, snapshots.map(renderGpoReportSection).join('\n'));
}

/** The page around the GPO sections, for {@link renderGpoReportSection} written one by one. */
export function settingsReportHtmlFrame(title: string, generatedAt: Date = new Date()): { start: string; end: string } {
  return htmlPageParts(title, `Generated by Coffer from backups, ${generatedAt.toISOString()}`);
}
