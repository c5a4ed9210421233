export { CORPUS_TIER_PREFIX, corpusAvailable, corpusDir, corpusHowTo, repoRoot } from './corpus-locator.js';
export { corpusMissingMessage, describeCorpus } from './corpus-tier.js';
export { snapshotTree, type SnapshotOptions, type TreeSnapshot } from './tree-snapshot.js';
export { tempDir } from './temp-dir.js';
