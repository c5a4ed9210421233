export { runConformanceSuite, assertProgressSane, assertCoded, makeTempDirectory } from './conformance-suite.js';
export type { ConformanceFixture, ConformanceOptions, TestFunction } from './conformance-suite.js';
export { snapshotDirectory, leftovers } from './directory-snapshot.js';
