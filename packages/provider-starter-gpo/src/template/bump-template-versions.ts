/**
 * What a Starter GPO's StarterGPO.tmplx says after it is written over one that still exists (restore or load-cab
 * with overwrite). GPMC keeps Starter GPO versions the way it keeps GPO versions, one counter per side that every
 * edit raises; it is not documented what an overwrite does, so Coffer follows its GPO restore: each side one above
 * anything either the live Starter GPO or the incoming one has used, so the result is visibly newer than both,
 * and ModifiedTime is the time of the overwrite. StarterGPOVersion is the author's label for the template, not an
 * edit counter, and stays as it comes. Only elements the incoming tmplx has are changed (none is added); unknown
 * elements, comments and the encoding survive (lossless document).
 */
import {
  renderStarterGpoTemplate,
  TEMPLATE_FIELD_NAMES,
  withTemplateField,
  type StarterGpoTemplate,
} from './starter-gpo-template.js';

/** A side's counter is a 16-bit half of a GPO version; past 65535 it wraps to 1 (clients compare for change). */
const SIDE_MAX = 0xffff;

export interface TemplateVersions {
  computerVersion: number | null;
  userVersion: number | null;
}

export interface BumpedTemplate {
  bytes: Buffer;
  /** The versions written (null: the tmplx has no such element, so none was written). */
  versions: TemplateVersions;
  modifiedTime: string | null;
  wrapped: boolean;
}

function nextVersion(live: number | null, incoming: number | null): { value: number; wrapped: boolean } {
  const value = Math.max(live ?? 0, incoming ?? 0) + 1;
  return value > SIDE_MAX ? { value: 1, wrapped: true } : { value, wrapped: false };
}

/** The time in the shape the element already has: FILETIME, ISO with a zone, or GPMC's zone-less UTC. */
export function formatTemplateTime(previous: string | null, time: Date): string {
  const value = previous?.trim() ?? '';
  if (/^\d{15,20}$/.test(value)) return (BigInt(time.getTime()) * 10_000n + 116_444_736_000_000_000n).toString();
  const iso = time.toISOString().replace(/\.\d{3}Z$/, '');
  if (/(Z|[+-]\d{2}:?\d{2})$/.test(value)) return `${iso}Z`;
  return iso;
}

/** The incoming tmplx with its versions bumped over the live ones; the template must parse (caller checks). */
export function bumpTemplateVersions(
  incoming: StarterGpoTemplate,
  live: TemplateVersions | null,
  now: Date,
): BumpedTemplate {
  let template = incoming;
  let wrapped = false;
  const versions: TemplateVersions = { computerVersion: null, userVersion: null };
  for (const field of ['computerVersion', 'userVersion'] as const) {
    if (!hasField(incoming, field)) continue;
    const next = nextVersion(live?.[field] ?? null, incoming[field]);
    wrapped ||= next.wrapped;
    versions[field] = next.value;
    template = withTemplateField(template, field, String(next.value));
  }
  let modifiedTime: string | null = null;
  if (hasField(incoming, 'modifiedTime')) {
    modifiedTime = formatTemplateTime(incoming.modifiedTime, now);
    template = withTemplateField(template, 'modifiedTime', modifiedTime);
  }
  return { bytes: renderStarterGpoTemplate(template), versions, modifiedTime, wrapped };
}

/** Whether the tmplx has the field as a child element (a root attribute or a missing one is left alone). */
function hasField(template: StarterGpoTemplate, field: 'computerVersion' | 'userVersion' | 'modifiedTime'): boolean {
  if (template[field] === null) return false;
  const names = TEMPLATE_FIELD_NAMES[field];
  return template.document.content.some(
    (item) => item.kind === 'element' && !item.hasChildElements && names.includes(item.localName.toLowerCase()),
  );
}
