/**
 * Which backups a retention policy keeps: `restic forget`'s rules, applied to the backups of one object
 * (a GPO, a Starter GPO, a license store...) at a time.
 *
 * The rules are OR-ed: a backup is kept when any rule keeps it, and removed only when none does.
 * - `last` N: the N newest backups.
 * - `hourly`/`daily`/`weekly`/`monthly`/`yearly` N: going from the newest backup back, the newest backup in
 *   each of the last N hours (days, ISO weeks, months, years) that have a backup. Periods without a backup
 *   do not count, as in restic. Periods are those of the local time zone (the `TZ` environment variable,
 *   as restic): a daily rule run under `TZ=UTC` and under `TZ=Europe/Berlin` can keep different backups.
 * - `within` a duration (`30d`, `1y6m`, `2w`, `36h`, combined as `1y2m3w4d5h`): every backup younger than
 *   the duration counted back from the object's NEWEST BACKUP, not from now (restic's choice, kept: a
 *   backup job that stopped running for a month does not make the next prune remove the whole history).
 *   Months and years are calendar ones (1 March minus 1m is 1 February), as restic's AddDate.
 * - When a period rule still has count left after the oldest backup (fewer periods with a backup than
 *   asked), the oldest backup is kept too (`oldest-<rule>`), as restic 0.15 and later do.
 * - Coffer's own guarantee on top: the newest backup of every object is always kept (`newest`), whatever
 *   the rules (every rule above keeps it too; this makes it hold for any policy).
 */
import { invalidArgument } from '../errors/coffer-error.js';

export type RetentionRule = 'last' | 'hourly' | 'daily' | 'weekly' | 'monthly' | 'yearly';

export interface RetentionPolicy {
  last?: number;
  hourly?: number;
  daily?: number;
  weekly?: number;
  monthly?: number;
  yearly?: number;
  /** A duration (`30d`, `1y6m`, `12h`; see {@link parseRetentionDuration}). */
  within?: string;
}

/** Why a backup is kept: a rule and the period it is the newest backup of (`daily` `2026-12-04`), or `within`/`newest`. */
export interface KeepReason {
  rule: RetentionRule | `oldest-${Exclude<RetentionRule, 'last'>}` | 'within' | 'newest';
  /** The period (`2026-12-04T13` hourly, `2026-12-04` daily, `2026-W49` weekly, `2026-12` monthly, `2026` yearly), the rank for `last` (`1` is the newest), the duration for `within`, the time for `newest`. */
  period: string;
}

export interface RetentionDuration {
  years: number;
  months: number;
  days: number;
  hours: number;
}

/** One backup as the policy sees it. */
export interface RetentionCandidate {
  id: string;
  createdAt: Date;
}

export interface RetentionDecision<T extends RetentionCandidate> {
  backup: T;
  keep: boolean;
  /** Empty for a backup that is removed. */
  reasons: KeepReason[];
}

const RULES: readonly RetentionRule[] = ['last', 'hourly', 'daily', 'weekly', 'monthly', 'yearly'];

/**
 * Checks a policy: counts are whole numbers from 1 (a rule that keeps nothing is no rule: leave it out), the
 * duration parses, and at least one rule is given — a prune without any rule would keep only the newest
 * backup of each object, which is never what a typo should do (restic removes nothing then; Coffer refuses).
 */
export function checkRetentionPolicy(policy: RetentionPolicy): void {
  for (const rule of RULES) {
    const count = policy[rule];
    if (count === undefined) continue;
    if (!Number.isSafeInteger(count) || count < 1)
      throw invalidArgument(`--keep-${rule} must be a whole number of at least 1, not ${JSON.stringify(count)}.`, {
        hint: 'Leave a rule out rather than giving it 0.',
      });
  }
  if (policy.within !== undefined) parseRetentionDuration(policy.within);
  if (RULES.every((rule) => policy[rule] === undefined) && policy.within === undefined)
    throw invalidArgument('No retention rule was given: nothing says which backups to keep.', {
      hint: 'Give at least one of --keep-last, --keep-hourly, --keep-daily, --keep-weekly, --keep-monthly, --keep-yearly, --keep-within.',
    });
}

/** `1y2m3w4d5h` (any of the parts, in that order; `w` is 7 days), as restic's `--keep-within`. */
export function parseRetentionDuration(text: string): RetentionDuration {
  const match = /^(?:(\d+)y)?(?:(\d+)m)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?$/.exec(text.trim());
  if (match === null || text.trim() === '' || match.slice(1).every((part) => part === undefined))
    throw invalidArgument(`${JSON.stringify(text)} is not a duration.`, {
      hint: 'Write it as years, months, weeks, days and hours: 30d, 2w, 1y6m, 36h, 1y2m3w4d5h.',
    });
  const [years, months, weeks, days, hours] = match.slice(1).map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
  ];
  if ([years, months, weeks, days, hours].some((n) => !Number.isSafeInteger(n) || n > 100_000))
    throw invalidArgument(`${JSON.stringify(text)} is too long a duration.`);
  return { years, months, days: days + 7 * weeks, hours };
}

/**
 * Applies a policy to the backups of ONE object. Returns a decision per backup, newest first (ties by id, so
 * the result never depends on the order given).
 */
export function applyRetentionPolicy<T extends RetentionCandidate>(
  backups: readonly T[],
  policy: RetentionPolicy,
): RetentionDecision<T>[] {
  checkRetentionPolicy(policy);
  const sorted = [...backups].sort(
    (a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  const buckets = RULES.filter((rule) => policy[rule] !== undefined).map((rule) => ({
    rule,
    left: policy[rule]!,
    last: undefined as string | undefined,
  }));
  const newest = sorted[0];
  const withinFrom =
    policy.within === undefined || newest === undefined
      ? undefined
      : subtract(newest.createdAt, parseRetentionDuration(policy.within));
  return sorted.map((backup, index) => {
    const reasons: KeepReason[] = [];
    if (index === 0) reasons.push({ rule: 'newest', period: backup.createdAt.toISOString() });
    if (withinFrom !== undefined && backup.createdAt.getTime() > withinFrom.getTime())
      reasons.push({ rule: 'within', period: policy.within!.trim() });
    const oldest = index === sorted.length - 1;
    for (const bucket of buckets) {
      if (bucket.left <= 0) continue;
      const period = periodOf(bucket.rule, backup.createdAt, index);
      if (period !== bucket.last) reasons.push({ rule: bucket.rule, period });
      else if (oldest && bucket.rule !== 'last') reasons.push({ rule: `oldest-${bucket.rule}`, period });
      else continue;
      bucket.last = period;
      bucket.left -= 1;
    }
    return { backup, keep: reasons.length > 0, reasons };
  });
}

/** The period a backup falls in for a rule, in local time; for `last`, its rank (1 is the newest). */
function periodOf(rule: RetentionRule, time: Date, index: number): string {
  const y = String(time.getFullYear()).padStart(4, '0');
  const m = String(time.getMonth() + 1).padStart(2, '0');
  const d = String(time.getDate()).padStart(2, '0');
  switch (rule) {
    case 'last':
      return String(index + 1);
    case 'hourly':
      return `${y}-${m}-${d}T${String(time.getHours()).padStart(2, '0')}`;
    case 'daily':
      return `${y}-${m}-${d}`;
    case 'weekly': {
      const { year, week } = isoWeek(time);
      return `${String(year).padStart(4, '0')}-W${String(week).padStart(2, '0')}`;
    }
    case 'monthly':
      return `${y}-${m}`;
    case 'yearly':
      return y;
  }
}

/** ISO 8601 week (Monday first; week 1 holds the year's first Thursday) of a local date, as Go's Time.ISOWeek. */
function isoWeek(time: Date): { year: number; week: number } {
  // Calendar arithmetic on the local date, done in UTC so daylight saving never shifts a day.
  const date = new Date(Date.UTC(time.getFullYear(), time.getMonth(), time.getDate()));
  const weekday = date.getUTCDay() === 0 ? 7 : date.getUTCDay();
  date.setUTCDate(date.getUTCDate() + 4 - weekday); // the Thursday of this week decides the year
  const year = date.getUTCFullYear();
  const week = Math.ceil(((date.getTime() - Date.UTC(year, 0, 1)) / 86_400_000 + 1) / 7);
  return { year, week };
}

/** `time` minus a duration, years/months/days on the local calendar (normalised like Go's AddDate), hours exactly. */
function subtract(time: Date, duration: RetentionDuration): Date {
  const shifted = new Date(time.getTime());
  shifted.setFullYear(
    time.getFullYear() - duration.years,
    time.getMonth() - duration.months,
    time.getDate() - duration.days,
  );
  return new Date(shifted.getTime() - duration.hours * 3_600_000);
}
