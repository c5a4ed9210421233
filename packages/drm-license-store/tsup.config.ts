import { libraryBuild } from '../../tsup.shared.js';

// Two entry points: the store's user API (index) and its side of a backup and restore (backup).
export default libraryBuild({ entry: ['src/index.ts', 'src/backup.ts'] });
