import { runBackup } from '@coffer/core';
import provider from '/work/main/packages/provider-drm-licenses/dist/index.js';
for (let i = 0; i < 8; i++) {
  const t = performance.now();
  const r = await runBackup(provider, { destination: '/tmp/drm-prof/dest', options: { store: '/tmp/drm-prof/store', machineId: 'bench-machine', overwrite: true } });
  console.log(r.status, Math.round(performance.now() - t), process.resourceUsage().maxRSS);
}
