import { getDelivery, listDeliveries } from '../../lib/db/deliveries';
import { getLocalIssue, setCollaborator } from '../../lib/db/local-issues';
import { listStageEvents } from '../../lib/db/stage-events';
import { issueWorkflowId } from '../../lib/issues';
import { cancelSignal, statusQuery } from '../../lib/core/workflows';
import { apiRequest, createHarness, waitForRunEnd, type Harness } from '../support/harness';
import { commentEvent, deliver, deliverAndHandle, eventually, handledDeliveries, handledDelivery, issuesEvent, sign, TRIGGER_LABEL, WEBHOOK_SECRET } from '../support/github-deliveries';
import { uniqueRepository } from '../support/retrieval';

describe('GitHub webhook receiver (real payloads, real Temporal, worker running)', () => {
  let harness: Harness;
  let repository: string;
  let owner: string;

  beforeAll(async () => {
    harness = await createHarness({ database: 'pglite', env: { GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET } });
    await harness.startWorker();
  });
  afterAll(() => harness?.close());
  beforeEach(() => {
    repository = uniqueRepository('octo');
    owner = repository.split('/')[0];
  });

  it('starts one run for a labelled issue, which reaches generate with the normalised issue', async () => {
    const target = { repository, number: 7, labels: ['bug', TRIGGER_LABEL] };
    const response = await deliverAndHandle(harness, 'issues', issuesEvent('labeled', target));
    // Acknowledged once stored, before anything started; the inbox then starts the run.
    expect(response).toMatchObject({ status: 202, outcome: 'accepted', body: { delivery: response.id, outcome: 'accepted' } });
    expect(response.handled).toMatchObject({ outcome: 'started', workflowId: `issue:${repository}#7` });

    const run = await waitForRunEnd(harness, response.handled!.runId!);
    expect(run.trigger).toBe('issue');
    expect(run.subject).toEqual({
      kind: 'issue',
      repository,
      number: 7,
      title: 'Pets can be filtered by tag (#7)',
      body: expect.stringContaining('## Acceptance criteria'),
      labels: ['bug', TRIGGER_LABEL],
      author: expect.any(String),
      url: `local://${repository}/issues/7`,
      acceptanceCriteria: ['GET /pets?tag=dog returns only dogs', 'an unknown tag returns an empty list'],
      slug: 'issue-7',
      specPaths: harness.config.generation.issueSpecPaths,
      framework: 'jest',
    });
    // Writing test cases from prose needs a model; none is configured here, and the run says so.
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ stage: 'generate', message: expect.stringContaining('no model provider is configured') });
    const stages = (await listStageEvents(harness.database.db, run.id)).map((e) => `${e.stage}:${e.outcome}`);
    expect(stages).toEqual(['receive:succeeded', 'retrieve:succeeded', 'generate:failed']);

    expect(await getDelivery(harness.database.db, response.id)).toMatchObject({
      event: 'issues', action: 'labeled', repository, issueNumber: 7, outcome: 'started', workflowId: `issue:${repository}#7`, runId: run.id, deliveries: 1,
      attempts: 1, payload: null, nextAttemptAt: null,
    });
    expect(await getLocalIssue(harness.database.db, repository, 7)).toMatchObject({ title: 'Pets can be filtered by tag (#7)', state: 'open' });

    // What became of it, over the API (with a key, like any /api/v1 route); an unknown id is 404.
    const view = await apiRequest(harness, 'GET', `/api/v1/webhook-deliveries/${response.id}`);
    expect(view).toMatchObject({ status: 200, body: { id: response.id, event: 'issues', action: 'labeled', outcome: 'started', runId: run.id, attempts: 1, links: { run: `/api/v1/runs/${run.id}` } } });
    expect(view.body).not.toHaveProperty('payload');
    expect((await apiRequest(harness, 'GET', '/api/v1/webhook-deliveries/no-such-delivery')).status).toBe(404);
  });

  it('lands the same delivery, delivered four times, and another of the same event, on one run', async () => {
    const payload = issuesEvent('labeled', { repository, number: 8, labels: [TRIGGER_LABEL] });
    // With another delivery of the same event at once, again while it may wait in the inbox, then twice more once it started the run.
    const [first, other] = await Promise.all([deliver(harness, 'issues', payload), deliver(harness, 'issues', payload)]);
    await deliver(harness, 'issues', payload, { id: first.id });
    const handled = await handledDelivery(harness, first.id);
    const again = await Promise.all([deliver(harness, 'issues', payload, { id: first.id }), deliver(harness, 'issues', payload, { id: first.id })]);
    expect([first, ...again].map((r) => r.status)).toEqual([202, 202, 202]);
    expect(again.map((r) => r.body)).toEqual(again.map(() => expect.objectContaining({ outcome: 'started', runId: handled.runId })));
    expect((await getDelivery(harness.database.db, first.id))).toMatchObject({ deliveries: 4, attempts: 1 });
    expect(await handledDelivery(harness, other.id)).toMatchObject({ outcome: expect.stringMatching(/^(started|existing)$/), runId: handled.runId });
    // Redelivered after the run has failed (no model here): answered as before, nothing restarted.
    const run = await waitForRunEnd(harness, handled.runId!);
    expect(run.status).toBe('failed');
    const late = await deliver(harness, 'issues', payload, { id: first.id });
    expect(late).toMatchObject({ status: 202, body: { runId: run.id, outcome: 'started' } });
    expect(late.body.reason).toBe(`delivery ${first.id} was handled before (started)`);
    expect((await getDelivery(harness.database.db, first.id))!.deliveries).toBe(5);
    const executions = [];
    for await (const execution of harness.client.workflow.list({ query: `WorkflowId = "${issueWorkflowId({ repository, number: 8 })}"` })) executions.push(execution);
    expect(executions).toHaveLength(1);
  });

  it('answers 401 to a wrong or missing signature and starts nothing, stores nothing', async () => {
    const payload = issuesEvent('labeled', { repository, number: 9, labels: [TRIGGER_LABEL] });
    const wrongSecret = await deliver(harness, 'issues', payload, { secret: 'another-secret-0123456789' });
    const missing = await deliver(harness, 'issues', payload, { signature: null });
    const tampered = await deliver(harness, 'issues', payload, { signature: sign(JSON.stringify(payload)), rawBody: JSON.stringify({ ...payload, action: 'opened' }) });
    for (const response of [wrongSecret, missing, tampered]) {
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe('invalid_signature');
      expect(await getDelivery(harness.database.db, response.id)).toBeUndefined();
    }
    await expect(harness.client.workflow.getHandle(issueWorkflowId({ repository, number: 9 })).describe()).rejects.toThrow(/not found/i);
    expect(await getLocalIssue(harness.database.db, repository, 9)).toBeUndefined();
  });

  it('ignores issues without the label, other labels and other events, with a reason', async () => {
    // Which label triggers is the repository's to say (.testloom.yml): decided by the inbox.
    const unlabelled = await deliverAndHandle(harness, 'issues', issuesEvent('opened', { repository, number: 10, labels: ['bug'] }));
    expect(unlabelled).toMatchObject({ status: 202, handled: { outcome: 'ignored', reason: `issue ${repository}#10 does not carry the label "${TRIGGER_LABEL}"` } });
    const otherLabel = await deliverAndHandle(harness, 'issues', issuesEvent('labeled', { repository, number: 10, labels: ['bug'] }, { label: 'bug' }));
    expect(otherLabel).toMatchObject({ status: 202, handled: { outcome: 'ignored', reason: `label "bug" is not the trigger label "${TRIGGER_LABEL}"` } });
    // What the payload alone rules out is answered at once.
    const notCommand = await deliver(harness, 'issue_comment', commentEvent({ repository, number: 10 }, 'looks good to me', owner));
    expect(notCommand).toMatchObject({ status: 204, outcome: 'ignored', reason: 'the comment is not a /testloom command' });
    const edited = await deliver(harness, 'issues', issuesEvent('edited', { repository, number: 10 }));
    expect(edited).toMatchObject({ status: 204, reason: 'issues.edited is not handled' });
    const release = await deliver(harness, 'release', { action: 'published', repository: { full_name: repository } });
    expect(release).toMatchObject({ status: 204, reason: 'event "release" is not handled' });
    expect((await getDelivery(harness.database.db, unlabelled.id))!.outcome).toBe('ignored');
    await expect(harness.client.workflow.getHandle(issueWorkflowId({ repository, number: 10 })).describe()).rejects.toThrow(/not found/i);
  });

  it('refuses a comment command from a user without write access', async () => {
    await setCollaborator(harness.database.db, repository, 'reader', 'read');
    const target = { repository, number: 11, labels: [TRIGGER_LABEL] };
    for (const [commenter, access] of [['reader', 'read'], ['stranger', 'no']]) {
      const response = await deliverAndHandle(harness, 'issue_comment', commentEvent(target, '/testloom regenerate please', commenter));
      expect(response).toMatchObject({ status: 202, handled: { outcome: 'refused', reason: `${commenter} has ${access} access to ${repository}; /testloom commands need write access` } });
      expect(await getDelivery(harness.database.db, response.id)).toMatchObject({ outcome: 'refused', sender: commenter });
    }
    await expect(harness.client.workflow.getHandle(issueWorkflowId({ repository, number: 11 })).describe()).rejects.toThrow(/not found/i);
  });

  it('regenerates a finished run on a maintainer\'s command, keeping the earlier run in the history', async () => {
    await setCollaborator(harness.database.db, repository, 'maintainer', 'write');
    const target = { repository, number: 12, labels: [TRIGGER_LABEL] };
    const started = await deliverAndHandle(harness, 'issues', issuesEvent('labeled', target));
    const firstRun = await waitForRunEnd(harness, started.handled!.runId!);

    const regenerate = await deliverAndHandle(harness, 'issue_comment', commentEvent(target, '/testloom regenerate cover the empty tag\nand a tag with spaces', 'maintainer'));
    expect(regenerate).toMatchObject({ status: 202, handled: { outcome: 'signalled' } });
    expect(regenerate.handled!.runId).not.toBe(firstRun.id);
    const secondRun = await waitForRunEnd(harness, regenerate.handled!.runId!);
    expect(secondRun.workflowId).toBe(firstRun.workflowId);
    const state = await harness.client.workflow.getHandle(secondRun.workflowId, secondRun.id).query(statusQuery);
    expect(state.feedback).toEqual(['cover the empty tag\nand a tag with spaces']);

    const executions = [];
    for await (const execution of harness.client.workflow.list({ query: `WorkflowId = "${firstRun.workflowId}"` })) executions.push(execution.runId);
    expect(executions.sort()).toEqual([firstRun.id, secondRun.id].sort());
    expect((await listDeliveries(harness.database.db, { workflowId: firstRun.workflowId })).map((d) => d.outcome).sort()).toEqual(['signalled', 'started']);
  });

  it('rejects malformed deliveries with a clear status', async () => {
    const notJson = await deliver(harness, 'issues', {}, { rawBody: '{"action": "labeled",' });
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.code).toBe('invalid_json');
    const notAnIssue = await deliver(harness, 'issues', { action: 'labeled' });
    expect(notAnIssue.status).toBe(400);
    expect(notAnIssue.body.error.message).toBe('an issues event needs issue and repository');
    const tooLarge = await deliver(harness, 'issues', {}, { rawBody: Buffer.alloc(25 * 1024 * 1024 + 1, 0x20) });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error.code).toBe('payload_too_large');
    const ping = await deliver(harness, 'ping', { zen: 'Keep it logically awesome.', hook_id: 1 });
    expect(ping).toMatchObject({ status: 204, reason: 'ping: the webhook is set up' });

    // Outcomes are counted for /metrics; unverified deliveries never lend their headers as labels.
    await deliver(harness, 'made-up-event', {}, { signature: 'sha256=00' });
    const metrics = await (await fetch(`${harness.api.url}/metrics`)).text();
    expect(metrics).toMatch(/testloom_webhook_deliveries_total\{event="issues",outcome="invalid"\} [1-9]/);
    expect(metrics).toMatch(/testloom_webhook_deliveries_total\{event="ping",outcome="ignored"\} [1-9]/);
    expect(metrics).toMatch(/testloom_webhook_deliveries_total\{event="unverified",outcome="unauthorized"\} [1-9]/);
    expect(metrics).not.toContain('made-up-event');
  });

  it('ignores an issue number beyond 2147483647 with 204 and the reason, on every redelivery', async () => {
    const payload = issuesEvent('labeled', { repository, number: 2147483648, labels: [TRIGGER_LABEL] });
    const first = await deliver(harness, 'issues', payload);
    const again = await deliver(harness, 'issues', payload, { id: first.id });
    for (const response of [first, again]) {
      expect(response).toMatchObject({ status: 204, outcome: 'ignored', reason: 'issue number 2147483648 is out of range: testloom handles issues 1 to 2147483647' });
    }
    expect(await getDelivery(harness.database.db, first.id)).toMatchObject({ outcome: 'ignored', issueNumber: null, repository, deliveries: 2 });
    const largest = await deliverAndHandle(harness, 'issues', issuesEvent('opened', { repository, number: 2147483647, labels: [] }));
    expect(largest).toMatchObject({ status: 202, handled: { issueNumber: 2147483647, reason: `issue ${repository}#2147483647 does not carry the label "${TRIGGER_LABEL}"` } });
  });

  it('answers 400 to a payload whose fields have the wrong types, never 500', async () => {
    const good = () => issuesEvent('labeled', { repository, number: 14, labels: [TRIGGER_LABEL] });
    const cases: [string, (p: Record<string, any>) => void, RegExp][] = [
      ['issue number as text', (p) => { p.issue.number = '14'; }, /issue.number must be an integer/],
      ['fractional issue number', (p) => { p.issue.number = 1.5; }, /issue.number must be an integer/],
      ['no title', (p) => { delete p.issue.title; }, /issue.title must be a string/],
      ['labels not a list', (p) => { p.issue.labels = 'bug'; }, /issue.labels must be a list/],
      ['no sender', (p) => { delete p.sender; }, /sender.login must be a string/],
      ['repository not owner/name', (p) => { p.repository.full_name = '../../etc'; }, /repository.full_name must be owner\/name/],
    ];
    for (const [name, spoil, message] of cases) {
      const payload = good();
      spoil(payload);
      const response = await deliver(harness, 'issues', payload);
      expect({ name, status: response.status }).toEqual({ name, status: 400 });
      expect(response.body.error).toMatchObject({ code: 'invalid_payload', message: expect.stringMatching(message) });
    }
    const comment = commentEvent({ repository, number: 14 }, '/testloom cancel', owner);
    comment.comment.body = 42;
    expect((await deliver(harness, 'issue_comment', comment)).status).toBe(400);
    // Text the database cannot store (a NUL character) is refused, not a 500 GitHub would retry.
    const nul = good();
    nul.issue.title = 'a\u0000b';
    expect((await deliver(harness, 'issues', nul)).body.error.code).toBe('invalid_request');
    const longId = await deliver(harness, 'issues', good(), { id: 'x'.repeat(101) });
    expect(longId).toMatchObject({ status: 400, body: { error: { code: 'invalid_request', details: [{ field: 'x-github-delivery' }] } } });
    await expect(harness.client.workflow.getHandle(issueWorkflowId({ repository, number: 14 })).describe()).rejects.toThrow(/not found/i);
  });

  it('counts a redelivery of a delivery that started a run as a duplicate, not as started', async () => {
    const count = async (outcome: string) => {
      const text = await (await fetch(`${harness.api.url}/metrics`)).text();
      return Number(new RegExp(`^testloom_webhook_deliveries_total\\{event="issues",outcome="${outcome}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
    };
    const before = { started: await count('started'), duplicate: await count('duplicate') };
    const payload = issuesEvent('labeled', { repository, number: 15, labels: [TRIGGER_LABEL] });
    const first = await deliverAndHandle(harness, 'issues', payload);
    expect(first.handled!.outcome).toBe('started');
    for (let i = 0; i < 2; i++) {
      const again = await deliver(harness, 'issues', payload, { id: first.id });
      expect(again).toMatchObject({ status: 202, body: { outcome: 'started', runId: first.handled!.runId } });
    }
    expect({ started: await count('started'), duplicate: await count('duplicate') }).toEqual({ started: before.started + 1, duplicate: before.duplicate + 2 });
    await waitForRunEnd(harness, first.handled!.runId!);
  });

  it('starts an issue run through the HTTP API for an issue the host knows, 404 otherwise', async () => {
    await deliverAndHandle(harness, 'issues', issuesEvent('opened', { repository, number: 13, labels: [] }));
    const started = await apiRequest(harness, 'POST', '/api/v1/runs', { issue: `${repository}#13` });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ workflowId: `issue:${repository}#13`, existing: false });
    const unknown = await apiRequest(harness, 'POST', '/api/v1/runs', { issue: `${repository}#999` });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toBe(`issue ${repository}#999 not found`);
    const otherRepo = await apiRequest(harness, 'POST', '/api/v1/runs', { issue: `${repository}#13`, repository: 'someone/else' });
    expect(otherRepo.status).toBe(400);
    expect(otherRepo.body.error.details[0].field).toBe('repository');
    await waitForRunEnd(harness, started.body.runId);
  });
});

describe('GitHub webhook receiver under concurrent deliveries', () => {
  let harness: Harness;

  // No worker: every run stays open, so each issue's workflow must absorb all its deliveries.
  beforeAll(async () => {
    harness = await createHarness({ database: 'pglite', env: { GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET } });
  });
  afterAll(() => harness?.close());

  it('turns 500 concurrent deliveries about 100 issues into exactly 100 runs', async () => {
    const repository = uniqueRepository('load');
    const deliveries = Array.from({ length: 100 }, (_, i) => i + 1).flatMap((number) => {
      const target = { repository, number, labels: [TRIGGER_LABEL] };
      const labeled = issuesEvent('labeled', target);
      return [
        { event: 'issues', payload: issuesEvent('opened', target) },
        { event: 'issues', payload: labeled },
        { event: 'issues', payload: labeled },
        { event: 'issues', payload: issuesEvent('labeled', target, { label: 'bug' }) },
        { event: 'issues', payload: issuesEvent('opened', target) },
      ];
    });
    const responses = await inParallel(deliveries, 100, ({ event, payload }) => deliver(harness, event, payload));

    expect(responses.filter((r) => r.status !== 202 || r.outcome !== 'accepted')).toEqual([]);
    const handled = await handledDeliveries(harness, responses.map((r) => r.id));
    const outcomes = new Map<string, number>();
    for (const row of handled) outcomes.set(row.outcome, (outcomes.get(row.outcome) ?? 0) + 1);
    expect(Object.fromEntries(outcomes)).toEqual({ started: 100, existing: 300, ignored: 100 });
    const startedOrExisting = handled.filter((row) => row.outcome !== 'ignored');
    expect(new Set(startedOrExisting.map((row) => row.workflowId)).size).toBe(100);
    expect(new Set(startedOrExisting.map((row) => row.runId)).size).toBe(100);

    // Temporal's own view: one execution per issue, none missing.
    const workflowIds = await eventually(async () => {
      const ids: string[] = [];
      for await (const execution of harness.client.workflow.list({ query: `TestloomRepository = "${repository}"` })) ids.push(execution.workflowId);
      return ids.length >= 100 ? ids : undefined;
    });
    expect(workflowIds.sort()).toEqual(Array.from({ length: 100 }, (_, i) => issueWorkflowId({ repository, number: i + 1 })).sort());
    const runs = await harness.database.db.selectFrom('runs').select('workflowId').where('repository', '=', repository).execute();
    expect(runs).toHaveLength(100);
    const recorded = await harness.database.db.selectFrom('webhookDeliveries').select('outcome').where('repository', '=', repository).execute();
    expect(recorded).toHaveLength(500);
  });
});

describe('GitHub webhook receiver cancelling runs', () => {
  let harness: Harness;

  // No worker, so the runs stay open and the cancel signal is visible in each run's history.
  beforeAll(async () => {
    harness = await createHarness({ database: 'pglite', env: { GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET } });
  });
  afterAll(() => harness?.close());

  const signals = async (workflowId: string) =>
    ((await harness.client.workflow.getHandle(workflowId).fetchHistory()).events ?? []).flatMap((e) => {
      const signal = e.workflowExecutionSignaledEventAttributes;
      return signal ? [signal.signalName] : [];
    });

  it.each([
    ['removing the label', (target: { repository: string; number: number }) => ({ event: 'issues', payload: issuesEvent('unlabeled', target) }), 'label "generate-tests" removed by'],
    ['closing the issue', (target: { repository: string; number: number }) => ({ event: 'issues', payload: issuesEvent('closed', target) }), 'issue closed by'],
    ['/testloom cancel from the owner', (target: { repository: string; number: number }) => ({ event: 'issue_comment', payload: commentEvent(target, '/testloom cancel', target.repository.split('/')[0]) }), '/testloom cancel by'],
  ])('cancels the running run on %s', async (_name, makeDelivery, reason) => {
    const target = { repository: uniqueRepository('cancel'), number: 3, labels: [TRIGGER_LABEL] };
    const started = await deliverAndHandle(harness, 'issues', issuesEvent('labeled', target));
    expect(started.handled!.outcome).toBe('started');
    const { event, payload } = makeDelivery(target);
    const cancelled = await deliverAndHandle(harness, event, payload);
    expect(cancelled).toMatchObject({ status: 202, handled: { outcome: 'cancelled' } });
    expect(cancelled.handled!.reason).toContain(reason);
    expect(await signals(started.handled!.workflowId!)).toEqual([cancelSignal.name]);
  });

  it('says so when there is no run to cancel', async () => {
    const target = { repository: uniqueRepository('cancel'), number: 4 };
    const response = await deliverAndHandle(harness, 'issues', issuesEvent('closed', target));
    expect(response).toMatchObject({ status: 202, handled: { outcome: 'ignored', reason: `no run of ${target.repository}#4 is in progress` } });
  });
});

async function inParallel<T, R>(items: T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index]);
      }
    }),
  );
  return results;
}
