/**
 * The start-up check of the namespace's search attributes against the real dev server: in a fresh
 * namespace the missing ones are registered (and found the next time); where registering is refused,
 * the error names the command an operator runs; an attribute of another type is reported.
 */
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { loadConfig } from '../../lib/config';
import { runLinks } from '../../lib/runs/links';
import { ensureSearchAttributes, SearchAttributesMissing } from '../../lib/temporal/search-attributes';
import { freshNamespace } from '../support/namespaces';

const ATTRIBUTES = loadConfig({}).temporal.searchAttributes;

describe('search attributes checked at start-up', () => {
  let connection: Connection;

  beforeAll(async () => {
    connection = await Connection.connect({ address: process.env.TESTLOOM_TEST_TEMPORAL_ADDRESS! });
  });
  afterAll(() => connection?.close());

  it('registers the missing attributes in a fresh namespace, then finds them all', async () => {
    const namespace = await freshNamespace(connection, 'testloom-sa', { bare: true });
    expect(await ensureSearchAttributes(connection.operatorService, namespace, ATTRIBUTES)).toEqual(Object.keys(ATTRIBUTES));
    expect(await ensureSearchAttributes(connection.operatorService, namespace, ATTRIBUTES)).toEqual([]);
    const listed = await connection.operatorService.listSearchAttributes({ namespace });
    for (const name of Object.keys(ATTRIBUTES)) expect(listed.customAttributes?.[name]).toBe(temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
  });

  it('when the server refuses to register them, the error names the temporal operator command for each', async () => {
    const namespace = await freshNamespace(connection, 'testloom-sa', { bare: true });
    // More Keyword attributes than the dev server's SQL visibility store has columns for: a real refusal.
    const tooMany = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`TestloomExtra${i}`, 'Keyword' as const]));
    const failure = ensureSearchAttributes(connection.operatorService, namespace, tooMany);
    await expect(failure).rejects.toBeInstanceOf(SearchAttributesMissing);
    await expect(failure).rejects.toThrow(`namespace ${namespace} lacks the search attributes TestloomExtra0, TestloomExtra1`);
    await expect(failure).rejects.toThrow(`temporal operator search-attribute create --namespace ${namespace} --name TestloomExtra39 --type Keyword`);
  });

  it('an attribute that exists with another type is reported, not re-created', async () => {
    const namespace = await freshNamespace(connection, 'testloom-sa', { bare: true });
    await connection.operatorService.addSearchAttributes({
      namespace, searchAttributes: { TestloomStage: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_TEXT },
    });
    await expect(ensureSearchAttributes(connection.operatorService, namespace, ATTRIBUTES))
      .rejects.toThrow(`search attributes TestloomStage exist in namespace ${namespace} with another type than Keyword`);
  });
});

describe('Web UI links', () => {
  it('point to TESTLOOM_TEMPORAL_UI_URL when set (a cluster\'s UI, Temporal Cloud), else the dev server\'s UI', () => {
    const cloud = runLinks(loadConfig({ TESTLOOM_TEMPORAL_UI_URL: 'https://cloud.temporal.io/', TEMPORAL_NAMESPACE: 'acme.a1b2c' }));
    expect(cloud.temporalUi('spec:acme/api:x@1', 'r1')).toBe('https://cloud.temporal.io/namespaces/acme.a1b2c/workflows/spec%3Aacme%2Fapi%3Ax%401/r1');
    expect(runLinks(loadConfig({ TEMPORAL_ADDRESS: 'temporal.internal:7233' })).temporalUi('w', 'r')).toBe('http://temporal.internal:8233/namespaces/default/workflows/w/r');
  });
});
