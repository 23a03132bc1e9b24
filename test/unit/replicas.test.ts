import { describe, expect, it } from 'vitest';
import { parseSettings } from '../../src/config.ts';
import { formatLsn, isReplicaFault, parseLsn } from '../../src/db/replicas.ts';
import { isProblem, type Problem } from '../../src/domain/problem.ts';

function refusal(env: Record<string, string>): Problem {
  try {
    parseSettings(env);
  } catch (err) {
    if (isProblem(err)) return err;
    throw err;
  }
  throw new Error('the settings were accepted');
}

describe('DATABASE_READ_URL', () => {
  const primary = 'postgres://app:secret@db-primary/safeground';

  it('takes one or more replicas, comma-separated, and the lag bound in seconds', () => {
    expect(parseSettings({}).databaseReadUrls).toEqual([]);
    const s = parseSettings({
      DATABASE_URL: primary,
      DATABASE_READ_URL: ' postgres://app:secret@r1/safeground , postgresql://app@r2:6432/safeground ',
      SAFEGROUND_READ_MAX_LAG_S: '2.5',
    });
    expect(s.databaseReadUrls).toEqual([
      'postgres://app:secret@r1/safeground',
      'postgresql://app@r2:6432/safeground',
    ]);
    expect(s.readMaxLagMs).toBe(2500);
    expect(parseSettings({ DATABASE_URL: primary }).readMaxLagMs).toBe(10_000);
  });

  it('refuses a bad URL, an empty entry and replicas without a primary, hiding passwords', () => {
    const bad = refusal({
      DATABASE_URL: primary,
      DATABASE_READ_URL: 'postgres://a:pw@r1/db,mysql://a:pw@r2/db',
    });
    expect(bad.others.map((o) => [o.code, o.params.variable, o.params.value])).toEqual([
      ['settings.url', 'DATABASE_READ_URL', 'mysql://a:***@r2/db'],
    ]);
    const empty = refusal({ DATABASE_URL: primary, DATABASE_READ_URL: 'postgres://a:pw@r1/db,,' });
    expect(empty.others.map((o) => [o.code, o.params.value])).toEqual([
      ['settings.url_list', 'postgres://a:***@r1/db,,'],
    ]);
    const alone = refusal({ DATABASE_READ_URL: 'postgres://r1/db' });
    expect(alone.others.map((o) => o.code)).toEqual(['settings.read_url_without_primary']);
    const lag = refusal({ DATABASE_URL: primary, SAFEGROUND_READ_MAX_LAG_S: '0' });
    expect(lag.others.map((o) => o.code)).toEqual(['settings.number']);
  });
});

describe('WAL positions', () => {
  it('compare as numbers and print as PostgreSQL prints them', () => {
    expect(parseLsn('0/4000060')).toBe(0x4000060n);
    expect(parseLsn('16/B374D848')).toBe((0x16n << 32n) + 0xb374d848n);
    expect(parseLsn('1/0') > parseLsn('0/FFFFFFFF')).toBe(true);
    expect(formatLsn(parseLsn('16/B374D848'))).toBe('16/B374D848');
    expect(() => parseLsn('nonsense')).toThrow();
  });
});

describe('replica faults', () => {
  it('tells a replica gone or in recovery conflict from a wrong query', () => {
    const err = (message: string, code?: string) => Object.assign(new Error(message), code ? { code } : {});
    expect(isReplicaFault(err('connect ECONNREFUSED 127.0.0.1:5443', 'ECONNREFUSED'))).toBe(true);
    expect(isReplicaFault(err('terminating connection due to administrator command', '57P01'))).toBe(true);
    expect(isReplicaFault(err('the database system is starting up', '57P03'))).toBe(true);
    expect(isReplicaFault(err('canceling statement due to conflict with recovery', '40001'))).toBe(true);
    expect(isReplicaFault(err('Connection terminated unexpectedly'))).toBe(true);
    expect(isReplicaFault(err('timeout exceeded when trying to connect'))).toBe(true);
    expect(isReplicaFault(err('could not serialize access due to concurrent update', '40001'))).toBe(false);
    expect(isReplicaFault(err('column "x" does not exist', '42703'))).toBe(false);
    expect(isReplicaFault('ECONNREFUSED')).toBe(false);
  });
});
