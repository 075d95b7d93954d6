import { describe, expect, it } from 'vitest';
import { parseSchedule, startSchedule, type Schedule } from '../../src/schedule.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('schedules', () => {
  it('parses durations and cron expressions, and says what is wrong with anything else', () => {
    expect(parseSchedule('15m')).toEqual({ kind: 'interval', ms: 15 * 60_000 });
    expect(parseSchedule('*/5 * * * *')).toEqual({ kind: 'cron', expression: '*/5 * * * *' });
    expect(parseSchedule('500ms')).toMatch(/shorter than 1s/);
    expect(parseSchedule('*/5 * * *')).toMatch(/neither a duration .* nor a cron expression/);
  });

  it('runs a cron expression on node-cron (required when first met) until stopped', async () => {
    // Every second: node-cron's optional seconds field.
    const s = parseSchedule('* * * * * *') as Schedule;
    expect(s.kind).toBe('cron');
    let ticks = 0;
    const stop = startSchedule(s, () => ticks++);
    for (let i = 0; i < 100 && ticks < 2; i++) await sleep(50);
    expect(ticks).toBeGreaterThanOrEqual(2);
    stop();
    const atStop = ticks;
    await sleep(2500);
    expect(ticks).toBe(atStop);
  });
});
