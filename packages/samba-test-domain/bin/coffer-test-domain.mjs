#!/usr/bin/env node
// Starts or stops a throwaway Samba AD DC for Coffer's demo and benchmark. Needs the package built (npm run build).
import { parseArgs } from 'node:util';
import { startTestDomain, stopDetachedTestDomain, readTestDomainInfo } from '../dist/index.js';

const usage = `Usage:
  coffer-test-domain up --dir DIR [--seed] [--extra-gpos N] [--address 127.0.0.x] [--realm REALM] [--detach]
      Provisions and starts a DC in DIR (must not exist or be empty) and prints its details as JSON.
      Without --detach it keeps running until SIGINT/SIGTERM, then cleans up.
      With --detach it returns at once; the DC keeps running until 'down'.
  coffer-test-domain down --dir DIR
      Stops a detached DC and removes DIR.
  coffer-test-domain info --dir DIR
      Prints the JSON of a running DC.`;

const [command, ...rest] = process.argv.slice(2);
const { values } = parseArgs({
  args: rest,
  options: {
    dir: { type: 'string' },
    seed: { type: 'boolean', default: false },
    'extra-gpos': { type: 'string' },
    address: { type: 'string' },
    realm: { type: 'string' },
    detach: { type: 'boolean', default: false },
  },
});

function fail(message) {
  process.stderr.write(`${message}\n\n${usage}\n`);
  process.exit(2);
}

if (!values.dir && command !== 'help') fail('--dir is required.');

if (command === 'up') {
  const extraGpos = values['extra-gpos'] === undefined ? 0 : Number(values['extra-gpos']);
  if (!Number.isInteger(extraGpos) || extraGpos < 0) fail('--extra-gpos takes a whole number.');
  const seed = values.seed || extraGpos > 0 ? { extraGpos } : false;
  const domain = await startTestDomain({
    workDir: values.dir,
    seed,
    detached: values.detach,
    ...(values.address ? { address: values.address } : {}),
    ...(values.realm ? { realm: values.realm } : {}),
    log: (line) => process.stderr.write(`coffer-test-domain: ${line}\n`),
  });
  process.stdout.write(`${JSON.stringify(domain.info(), null, 2)}\n`);
  if (!values.detach) {
    const stop = async () => {
      await domain.stop();
      process.exit(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    // Keep the event loop alive until a signal arrives.
    setInterval(() => undefined, 1 << 30);
  }
} else if (command === 'down') {
  const stopped = await stopDetachedTestDomain(values.dir);
  process.stderr.write(
    stopped ? `coffer-test-domain: stopped ${values.dir}\n` : `coffer-test-domain: no running DC in ${values.dir}\n`,
  );
} else if (command === 'info') {
  process.stdout.write(`${JSON.stringify(await readTestDomainInfo(values.dir), null, 2)}\n`);
} else {
  fail(`Unknown command ${command ?? '(none)'}.`);
}
