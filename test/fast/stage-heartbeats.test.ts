import { MockActivityEnvironment } from '@temporalio/testing';
import { keepHeartbeating, reportProgress } from '../../activities/stage';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `work` as an activity with this heartbeat timeout; answers the details of every heartbeat it sent. */
async function heartbeatsOf(heartbeatTimeoutMs: number, work: () => Promise<void>): Promise<unknown[]> {
  const env = new MockActivityEnvironment({ heartbeatTimeoutMs });
  const beats: unknown[] = [];
  env.on('heartbeat', (details: unknown) => beats.push(details));
  await env.run(async () => {
    const stop = keepHeartbeating();
    try {
      await work();
    } finally {
      stop();
    }
  });
  return beats;
}

describe('stage heartbeats', () => {
  it('sends none for a stage that ends before a third of the heartbeat timeout', async () => {
    const beats = await heartbeatsOf(3_000, async () => {
      reportProgress('spec loaded');
      await sleep(200);
    });
    expect(beats).toEqual([]);
  });

  it('beats every third of the timeout while the stage runs, with the latest progress reported', async () => {
    const beats = await heartbeatsOf(900, async () => {
      await sleep(450); // first beat at 300 ms, before any progress
      reportProgress('spec loaded');
      await sleep(300); // second beat at 600 ms
      reportProgress('suite rendered');
      await sleep(300); // third beat at 900 ms
    });
    expect(beats).toEqual([undefined, 'spec loaded', 'suite rendered']);
  });

  it('stops beating when the stage ends', async () => {
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 300 });
    const beats: unknown[] = [];
    env.on('heartbeat', (details: unknown) => beats.push(details));
    await env.run(async () => {
      const stop = keepHeartbeating();
      await sleep(150);
      stop();
    });
    const afterEnd = beats.length;
    await sleep(400);
    expect(afterEnd).toBe(1);
    expect(beats).toHaveLength(afterEnd);
  });
});
