#!/usr/bin/env node
import { main } from './main.js';

// First Ctrl-C: cancel the operation and let the provider clean up (core leaves nothing partial).
// Second Ctrl-C: the user does not want to wait; leave at once.
const cancel = new AbortController();
process.on('SIGINT', () => {
  if (cancel.signal.aborted) {
    // The progress bar hides the cursor; give it back before leaving mid-draw.
    if (process.stderr.isTTY) process.stderr.write('\u001b[?25h');
    process.stderr.write('\ncancelled\n');
    process.exit(130);
  }
  process.stderr.write('\nCancelling… (press Ctrl-C again to quit at once)\n');
  cancel.abort();
});

const exitCode = await main(process.argv.slice(2), { signal: cancel.signal });
// Output to a pipe that is not read as fast as it is written (`coffer list | less`, `--json | jq` of thousands of
// backups) is still queued here, and process.exit would drop it: wait until everything written has been handed over.
await Promise.all([process.stdout, process.stderr].map((stream) => new Promise((done) => stream.write('', done))));
process.exit(exitCode);
