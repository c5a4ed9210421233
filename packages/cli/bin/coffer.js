#!/usr/bin/env node
// The `coffer` executable. It is a committed file, not a build output, because npm links a workspace's bin
// into node_modules/.bin at install time only when the file already exists: in a fresh clone dist/ does not
// exist until `npm run build`, so a bin pointing at dist/bin.js would never be linked (and `npx coffer` would
// fail until a second `npm install`). In the published package dist/ is always there.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = new URL('../dist/bin.js', import.meta.url);
if (!existsSync(built)) {
  process.stderr.write(
    `coffer: @coffer/cli is not built (${fileURLToPath(built)} is missing).\n` +
      'hint: in the Coffer repository run npm run build (npm run demo builds too), then run coffer again.\n',
  );
  process.exit(1);
}
await import(built.href);
