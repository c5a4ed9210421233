// Builds a license store of N licenses for the DRM benchmark: 1 in 100 carries a play count,
// so it may not be backed up (RESTRICTED_LICENSE); the others are eligible.
import { createStore, issueLicenses } from '@coffer/drm-license-store';

const [store, servicePath, machineId, countText] = process.argv.slice(2);
const count = Number(countText);
const BATCH = 5_000;
await createStore({ store, machineId, servicePath });
for (let done = 0; done < count; done += BATCH) {
  const licenses = Array.from({ length: Math.min(BATCH, count - done) }, (_, i) => {
    const n = done + i;
    return n % 100 === 0
      ? { title: `Track ${n}`, playCount: 5 }
      : {
          title: `Track ${n}`,
          allowBackupRestore: true,
          priority: n % 7,
          meta: { ARTIST: 'Benchmark Ensemble', ALBUM: `Album ${Math.floor(n / 12)}` },
        };
  });
  await issueLicenses({ store, machineId, licenses });
}
