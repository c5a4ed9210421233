import { describe, expect, test } from 'vitest';
import {
  applyRetentionPolicy,
  checkRetentionPolicy,
  parseRetentionDuration,
  type RetentionPolicy,
} from '../../src/index.js';
import { inUtc } from './fixture-backups.js';

// Local time is the policy's time (as restic's): every test here runs in UTC unless it sets TZ itself.

inUtc();

/** Backups named by their time, e.g. '2026-12-04 13:05'. */
const at = (...times: string[]) => times.map((t) => ({ id: t, createdAt: new Date(`${t.replace(' ', 'T')}:00Z`) }));

function apply(times: string[], policy: RetentionPolicy) {
  const decisions = applyRetentionPolicy(at(...times), policy);
  return {
    kept: decisions.filter((d) => d.keep).map((d) => d.backup.id),
    removed: decisions.filter((d) => !d.keep).map((d) => d.backup.id),
    reasons: Object.fromEntries(decisions.map((d) => [d.backup.id, d.reasons.map((r) => `${r.rule} ${r.period}`)])),
  };
}

// A backup every hour from 2026-11-20 00:05 to 2026-12-04 23:05 (UTC): fifteen days, 360 backups.
const hourlyFor15Days = Array.from({ length: 360 }, (_, i) => {
  const t = new Date(Date.UTC(2026, 10, 20, i, 5));
  return t.toISOString().slice(0, 16).replace('T', ' ');
});

describe('the rules, as restic forget applies them', () => {
  test('--keep-last 3 keeps the three newest, whatever their times', () => {
    const r = apply(
      ['2026-12-01 10:00', '2026-12-04 09:00', '2026-12-04 09:30', '2026-11-02 00:00', '2026-12-03 23:59'],
      {
        last: 3,
      },
    );
    expect(r.kept).toEqual(['2026-12-04 09:30', '2026-12-04 09:00', '2026-12-03 23:59']);
    expect(r.removed).toEqual(['2026-12-01 10:00', '2026-11-02 00:00']);
    expect(r.reasons['2026-12-04 09:30']).toEqual(['newest 2026-12-04T09:30:00.000Z', 'last 1']);
    expect(r.reasons['2026-12-03 23:59']).toEqual(['last 3']);
  });

  test('--keep-hourly 24 over an hourly history keeps exactly the last 24 hours', () => {
    const r = apply(hourlyFor15Days, { hourly: 24 });
    expect(r.kept).toEqual(hourlyFor15Days.slice(-24).reverse());
    expect(r.removed).toHaveLength(360 - 24);
  });

  test('--keep-daily 7 keeps the newest backup of each of the last 7 days (the 23:05 one)', () => {
    const r = apply(hourlyFor15Days, { daily: 7 });
    expect(r.kept).toEqual([
      '2026-12-04 23:05',
      '2026-12-03 23:05',
      '2026-12-02 23:05',
      '2026-12-01 23:05',
      '2026-11-30 23:05',
      '2026-11-29 23:05',
      '2026-11-28 23:05',
    ]);
    expect(r.reasons['2026-12-02 23:05']).toEqual(['daily 2026-12-02']);
  });

  test('the usual hourly job policy: --keep-hourly 24 --keep-daily 7 --keep-weekly 4, rules OR-ed', () => {
    const r = apply(hourlyFor15Days, { hourly: 24, daily: 7, weekly: 4 });
    // 24 hourly (all of 2026-12-04, 00:05 .. 23:05; its 23:05 is also the first daily); 6 more dailies (12-03 .. 11-28);
    // weekly: ISO weeks 49 (12-04), 48 (11-29 Sunday, already daily), 47 (11-22 Sunday), and the oldest backup is kept
    // as the weekly rule still had count left (4 weeks asked, 3 have a backup).
    expect(r.kept).toHaveLength(24 + 6 + 1 + 1);
    expect(r.kept.slice(24)).toEqual([
      '2026-12-03 23:05',
      '2026-12-02 23:05',
      '2026-12-01 23:05',
      '2026-11-30 23:05',
      '2026-11-29 23:05',
      '2026-11-28 23:05',
      '2026-11-22 23:05',
      '2026-11-20 00:05',
    ]);
    expect(r.reasons['2026-12-04 23:05']).toEqual([
      'newest 2026-12-04T23:05:00.000Z',
      'hourly 2026-12-04T23',
      'daily 2026-12-04',
      'weekly 2026-W49',
    ]);
    expect(r.reasons['2026-11-29 23:05']).toEqual(['daily 2026-11-29', 'weekly 2026-W48']);
    expect(r.reasons['2026-11-22 23:05']).toEqual(['weekly 2026-W47']);
    expect(r.reasons['2026-11-20 00:05']).toEqual(['oldest-weekly 2026-W47']);
  });

  test('periods without a backup do not count (restic: the last N periods that HAVE a backup)', () => {
    const r = apply(['2026-12-04 10:00', '2026-11-30 10:00', '2026-11-01 08:00', '2026-11-01 07:00'], { daily: 2 });
    expect(r.kept).toEqual(['2026-12-04 10:00', '2026-11-30 10:00']);
    expect(r.removed).toEqual(['2026-11-01 08:00', '2026-11-01 07:00']);
  });

  test('a rule with count left at the oldest backup keeps it too (restic 0.15+)', () => {
    const r = apply(['2026-12-04 10:00', '2026-12-04 09:00', '2026-12-03 10:00', '2026-12-03 09:00'], { daily: 5 });
    expect(r.kept).toEqual(['2026-12-04 10:00', '2026-12-03 10:00', '2026-12-03 09:00']);
    expect(r.reasons['2026-12-03 09:00']).toEqual(['oldest-daily 2026-12-03']);
    expect(r.removed).toEqual(['2026-12-04 09:00']);
  });

  test('--keep-weekly uses ISO weeks across a year boundary; --keep-monthly and --keep-yearly calendar ones', () => {
    const times = ['2027-01-03 12:00', '2027-01-01 12:00', '2026-12-28 12:00', '2026-12-27 12:00', '2026-12-20 12:00'];
    // 2027-01-03 (Sunday), 2027-01-01 and 2026-12-28 (Monday) are all in ISO week 2026-W53; 12-27 is W52; 12-20 W51.
    expect(apply(times, { weekly: 2 }).kept).toEqual(['2027-01-03 12:00', '2026-12-27 12:00']);
    expect(apply(times, { weekly: 2 }).reasons['2027-01-03 12:00']).toContain('weekly 2026-W53');
    expect(apply(times, { monthly: 2 }).kept).toEqual(['2027-01-03 12:00', '2026-12-28 12:00']);
    expect(apply(times, { yearly: 1 }).kept).toEqual(['2027-01-03 12:00']);
  });

  test('--keep-within counts back from the NEWEST backup, not from now, and is exclusive at its edge', () => {
    // The job stopped on 11-20: a month later, --keep-within 2d still keeps the last two days of backups.
    const r = apply(['2026-11-20 10:00', '2026-11-19 10:01', '2026-11-18 10:00', '2026-11-17 09:00'], {
      within: '2d',
    });
    expect(r.kept).toEqual(['2026-11-20 10:00', '2026-11-19 10:01']);
    expect(r.reasons['2026-11-19 10:01']).toEqual(['within 2d']);
    // Exactly two days older than the newest: not within (restic keeps a snapshot only when it is after the edge).
    expect(r.removed).toEqual(['2026-11-18 10:00', '2026-11-17 09:00']);
  });

  test('--keep-within months are calendar months (restic AddDate)', () => {
    const r = apply(['2026-03-31 12:00', '2026-03-02 12:01', '2026-03-02 11:59', '2026-02-27 12:00'], {
      within: '1m',
    });
    // 2026-03-31 minus one month is 2026-02-31, normalised to 2026-03-03 (as Go's AddDate): the edge.
    expect(r.kept).toEqual(['2026-03-31 12:00']);
    const days = apply(['2026-03-31 12:00', '2026-03-03 12:01', '2026-03-03 11:59'], { within: '1m' });
    expect(days.kept).toEqual(['2026-03-31 12:00', '2026-03-03 12:01']);
  });

  test('the newest backup is always kept, even when no rule would', () => {
    // --keep-within is the only rule that could leave the newest out, and it never does: it is within 0 of itself.
    const r = apply(['2026-12-04 10:00', '2026-12-04 09:00'], { within: '1h' });
    expect(r.kept).toEqual(['2026-12-04 10:00']);
    expect(r.reasons['2026-12-04 10:00']![0]).toMatch(/^newest /);
  });

  test('buckets are local time: the same backups give other days under another TZ', () => {
    const times = ['2026-12-04 16:30', '2026-12-04 14:30', '2026-12-03 20:00'];
    expect(apply(times, { daily: 2 }).kept).toEqual(['2026-12-04 16:30', '2026-12-03 20:00']);
    // UTC+9: 16:30Z is 01:30 on 12-05, 14:30Z is 23:30 on 12-04, 20:00Z (12-03) is 05:00 on 12-04.
    process.env.TZ = 'Asia/Tokyo';
    const tokyo = apply(times, { daily: 2 });
    expect(tokyo.kept).toEqual(['2026-12-04 16:30', '2026-12-04 14:30']);
    expect(tokyo.reasons['2026-12-04 16:30']).toContain('daily 2026-12-05');
  });

  test('the order given does not matter; ties are broken by id', () => {
    const times = ['2026-12-04 10:00', '2026-12-04 10:00', '2026-12-04 09:00'].map((t, i) => ({
      id: `b${i}`,
      createdAt: new Date(`${t.replace(' ', 'T')}:00Z`),
    }));
    const forward = applyRetentionPolicy(times, { last: 1 });
    const backward = applyRetentionPolicy([...times].reverse(), { last: 1 });
    expect(forward.map((d) => [d.backup.id, d.keep])).toEqual(backward.map((d) => [d.backup.id, d.keep]));
    expect(forward.filter((d) => d.keep).map((d) => d.backup.id)).toEqual(['b0']);
  });
});

describe('what is refused', () => {
  test('no rule at all, a count of 0 or less, or a fraction', () => {
    expect(() => checkRetentionPolicy({})).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => checkRetentionPolicy({ daily: 0 })).toThrow(/--keep-daily must be a whole number/);
    expect(() => checkRetentionPolicy({ last: -2 })).toThrow(/--keep-last/);
    expect(() => checkRetentionPolicy({ hourly: 1.5 })).toThrow(/--keep-hourly/);
    expect(() => applyRetentionPolicy([], {})).toThrow(/No retention rule/);
  });

  test('durations: restic forms parse, anything else is refused', () => {
    expect(parseRetentionDuration('30d')).toEqual({ years: 0, months: 0, days: 30, hours: 0 });
    expect(parseRetentionDuration('1y2m3w4d5h')).toEqual({ years: 1, months: 2, days: 25, hours: 5 });
    expect(parseRetentionDuration('36h')).toEqual({ years: 0, months: 0, days: 0, hours: 36 });
    for (const bad of ['', '30', 'd', '1d2y', '-1d', '1.5d', '30 days', '1e3d'])
      expect(() => parseRetentionDuration(bad), bad).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
