import { BACKUP_READ_LIMITS, type OperationContext } from '@coffer/core';
import { type AdmxCatalog, type AdmxFilePair, buildAdmxCatalog } from '@coffer/gpmc';
import type { DomainSession } from '../ad/domain-session.js';
import { collect, drain } from './sysvol-bytes.js';

/**
 * The domain's central store of administrative templates (`Policies/PolicyDefinitions`: *.admx and en-US/*.adml),
 * read at most once per backup run, and only when a GPO has a Registry.pol: gpreport.xml names policies from it.
 * Started early so it overlaps the SYSVOL pass; an unreadable store is an `ADMX_STORE_UNREADABLE` warning and leaves
 * policies as "Extra Registry Settings", as in GPMC without a store.
 */
export class CentralStore {
  readonly #session: DomainSession;
  readonly #context: OperationContext;
  #pending: Promise<AdmxCatalog | undefined> | undefined;

  constructor(session: DomainSession, context: OperationContext) {
    this.#session = session;
    this.#context = context;
  }

  /** The catalog, reading the store the first time it is asked for. */
  catalog(): Promise<AdmxCatalog | undefined> {
    this.#pending ??= readCentralStore(this.#session).catch((error: unknown) => {
      this.#context.report({
        severity: 'warning',
        code: 'ADMX_STORE_UNREADABLE',
        message: `The central store of administrative templates could not be read (${(error as Error).message}); gpreport.xml lists Registry.pol values without policy names.`,
      });
      return undefined;
    });
    return this.#pending;
  }

  /** Waits for a read in flight (no smbclient outlives the run). */
  async settle(): Promise<void> {
    await this.#pending;
  }
}

async function readCentralStore(session: DomainSession): Promise<AdmxCatalog | undefined> {
  const path = `${session.dnsDomain}/Policies/PolicyDefinitions`;
  if (!(await session.sysvol.exists(path))) return undefined;
  const admx = new Map<string, Buffer>();
  const adml = new Map<string, Buffer>();
  for await (const found of session.sysvol.readTree(path)) {
    const lower = found.path.toLowerCase();
    // Over the XML bound the reader would refuse it anyway: never held (the policies it defines stay unnamed).
    if (found.kind === 'file' && found.size > BACKUP_READ_LIMITS.maxXmlBytes) await drain(found);
    else if (found.kind === 'file' && /^[^/]+\.admx$/.test(lower)) admx.set(lower.slice(0, -5), await collect(found));
    else if (found.kind === 'file' && /^en-us\/[^/]+\.adml$/.test(lower))
      adml.set(lower.slice(6, -5), await collect(found));
    else await drain(found);
  }
  const pairs: AdmxFilePair[] = [...admx.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, bytes]) => ({ file: `${name}.admx`, admx: bytes, adml: adml.get(name) ?? null }));
  return buildAdmxCatalog(pairs);
}
