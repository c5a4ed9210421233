export { CORPUS_TIER_PREFIX, corpusAvailable, corpusDir, corpusHowTo, repoRoot } from './corpus-locator.js';
export { corpusMissingMessage, describeCorpus } from './corpus-tier.js';
export { snapshotTree, type SnapshotOptions, type TreeSnapshot } from './tree-snapshot.js';
export { tempDir } from './temp-dir.js';
export {
  hostileBackupCases,
  writeOutsideSecret,
  BILLION_LAUGHS_DOCTYPE,
  EXTERNAL_ENTITY_DOCTYPE,
  SECRET_NAME,
  SECRET_TEXT,
  type HostileCase,
  type HostileContext,
} from './hostile-backups.js';
export { childProcessesOf, filesHolding } from './process-secrets.js';
// Debian's gcab and cabextract, the independent cabinet tools the MS-CAB tests check against (@coffer/gpmc, Starter GPO).
export { ensureCabTools, runTool, gcabNames } from './cab-tools.js';
export { gpoConnectionArgs, type ConnectableDomain } from './coffer-connection.js';
