#!/usr/bin/env node
// Removes every workspace's test-results.json (packages, examples, tests) before a run, so the summary never counts a stale report.
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
for (const group of ['packages', 'examples', 'tests']) {
  for (const name of await readdir(join(root, group)).catch(() => [])) {
    await rm(join(root, group, name, 'test-results.json'), { force: true });
  }
}
