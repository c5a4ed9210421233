// coffer report / coffer diff: backups read back (no AD), compared, and rendered as text, JSON, GPMC XML or HTML.
export {
  readBackupSnapshot,
  daclAces,
  gpoStatusText,
  appliesGroupPolicy,
  type BackupSnapshot,
  type SnapshotAce,
} from './backup-snapshot.js';
export { settingItems, settingKey, type SettingItem } from './setting-items.js';
export {
  diffBackups,
  diffSnapshots,
  hasDifferences,
  type BackupsDiff,
  type GpoDiff,
  type GpoChange,
  type ChangeKind,
  type DiffOptions,
} from './diff-backups.js';
export { renderSettingsReportHtml, renderGpoReportSection, settingsReportHtmlFrame } from './report-html.js';
export { renderSettingsReportXml, gpoReportElement, readGpoReportElement } from './report-xml.js';
export { renderDiffText, renderDiffHtml, changedFields } from './render-diff.js';
export { escapeHtml, htmlPage, htmlPageParts } from './html-page.js';
