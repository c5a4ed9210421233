// The reads `coffer report DIR` makes, alone, in a fresh process: through core's BackupReader (every check a report's
// reads go through: links refused, each descriptor's path read back, sizes bounded), nothing parsed or rendered.
// manifest.xml, then each backup folder's bkupInfo.xml (the listing), then per folder bkupInfo.xml, gpreport.xml and
// Backup.xml again and every file of its GPT (the snapshot). Argument: the directory. Prints {wallMs, files, bytes}:
// how close to `cat` of the same directory a Node process can read what the report reads, before any of its work.
import { readdirSync } from 'node:fs';
import { BackupReader } from '@coffer/core';

const directory = process.argv[2];
const started = performance.now();
let files = 0;
let bytes = 0;
const read = async (reader, path) => {
  const content = await reader.readOptional(path);
  if (content === null) return;
  files += 1;
  bytes += content.length;
};
const index = await BackupReader.open(directory);
await read(index, 'manifest.xml');
const folders = readdirSync(directory).filter((name) => name.startsWith('{'));
for (const name of folders) await read(index, `${name}/bkupInfo.xml`);
for (const name of folders) {
  const reader = await BackupReader.open(`${directory}/${name}`);
  for (const file of ['bkupInfo.xml', 'gpreport.xml', 'Backup.xml']) await read(reader, file);
  const tree = await reader.walk('DomainSysvol');
  for (const entry of tree.entries) if (entry.kind === 'file') await read(reader, `DomainSysvol/${entry.path}`);
}
process.stdout.write(JSON.stringify({ wallMs: Math.round(performance.now() - started), files, bytes }));
