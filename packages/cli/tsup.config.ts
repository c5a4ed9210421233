import { libraryBuild } from '../../tsup.shared.js';

// index: the programmatic API (main); bin: the executable, which tsup marks executable because of its shebang.
export default libraryBuild({ entry: ['src/index.ts', 'src/bin.ts'], dts: { entry: 'src/index.ts' } });
