/**
 * Connections to a Temporal server that requires mutual TLS, with certificates made in the test:
 * the right CA and client certificate connect (client and worker connections, a real workflow list
 * and search-attribute call); a client certificate from another CA, no CA (the system's, which do
 * not know the test CA) or plaintext fail with a message that says TLS and which settings to check.
 * The dev server of the installed CLI has no TLS options: a TLS-terminating proxy (./support/tls-proxy.ts)
 * stands in front of it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { loadConfig } from '../../lib/config';
import { connectNativeTemporal, connectTemporal, temporalConnectionOptions } from '../../lib/temporal/connection';
import { createAuthority, type Authority } from './support/certificates';
import { startTlsProxy, type TlsProxy } from './support/tls-proxy';

describe('Temporal over mutual TLS', () => {
  let dir: string;
  let trusted: Authority;
  let stranger: Authority;
  let proxy: TlsProxy;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-tls-'));
    trusted = createAuthority(dir, 'trusted');
    stranger = createAuthority(dir, 'stranger');
    proxy = await startTlsProxy({ upstream: process.env.TESTLOOM_TEST_TEMPORAL_ADDRESS!, ...trusted.server, ca: trusted.ca });
  });

  afterAll(async () => {
    await proxy?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const configWith = (env: Record<string, string>) => loadConfig({ TEMPORAL_ADDRESS: proxy.address, ...env }).temporal;

  it('connects with the right CA and client certificate: a workflow list and a worker connection succeed', async () => {
    const temporal = configWith({ TEMPORAL_TLS_CA: trusted.ca, TEMPORAL_TLS_CERT: trusted.client.cert, TEMPORAL_TLS_KEY: trusted.client.key, TEMPORAL_TLS_SERVER_NAME: 'localhost' });
    const connection = await connectTemporal(temporal);
    try {
      const client = new Client({ connection, namespace: temporal.namespace });
      const page = await client.workflowService.listWorkflowExecutions({ namespace: temporal.namespace, pageSize: 5 });
      expect(Array.isArray(page.executions)).toBe(true);
    } finally {
      await connection.close();
    }
    const native = await connectNativeTemporal(temporal);
    try {
      const attributes = await native.operatorService.listSearchAttributes({ namespace: temporal.namespace });
      expect(Object.keys(attributes.customAttributes ?? {})).toEqual(expect.arrayContaining(Object.keys(temporal.searchAttributes)));
    } finally {
      await native.close();
    }
  });

  it('the server name defaults to the host of the address (the certificate names 127.0.0.1)', async () => {
    const mtls = { TEMPORAL_TLS_CA: trusted.ca, TEMPORAL_TLS_CERT: trusted.client.cert, TEMPORAL_TLS_KEY: trusted.client.key };
    const connection = await connectTemporal(configWith(mtls));
    try {
      expect((await connection.workflowService.getSystemInfo({})).capabilities).toBeDefined();
    } finally {
      await connection.close();
    }
  });

  const SERVER_REFUSES_CLIENT = /over TLS: (TLS handshake failed: .*alert (unknown ca|certificate required|handshake failure)|the server closed the connection right after the TLS handshake: it did not accept the client certificate)/;
  const CLIENT_REFUSES_SERVER = new RegExp('over TLS: TLS handshake failed: '
    + '(self-signed certificate in certificate chain|unable to verify the first certificate|unable to get local issuer certificate)');

  it.each([
    ['a client certificate from another CA', SERVER_REFUSES_CLIENT, () => ({ TEMPORAL_TLS_CA: trusted.ca, TEMPORAL_TLS_CERT: stranger.client.cert, TEMPORAL_TLS_KEY: stranger.client.key })],
    ['no client certificate', SERVER_REFUSES_CLIENT, () => ({ TEMPORAL_TLS_CA: trusted.ca })],
    ['no CA (the system\'s do not know the server\'s)', CLIENT_REFUSES_SERVER, () => ({ TEMPORAL_TLS: 'true', TEMPORAL_TLS_CERT: trusted.client.cert, TEMPORAL_TLS_KEY: trusted.client.key })],
    ['the wrong CA for the server', CLIENT_REFUSES_SERVER, () => ({ TEMPORAL_TLS_CA: stranger.ca, TEMPORAL_TLS_CERT: trusted.client.cert, TEMPORAL_TLS_KEY: trusted.client.key })],
  ])('fails clearly with %s', async (_name, reason, env) => {
    const temporal = configWith(env());
    const failure = connectTemporal(temporal, { connectTimeout: 3_000 });
    await expect(failure).rejects.toThrow(`cannot connect to Temporal at ${proxy.address} over TLS: `);
    await expect(failure).rejects.toThrow(reason);
    await expect(failure).rejects.toThrow('check TEMPORAL_TLS_CA (the CA that signed the server\'s certificate), TEMPORAL_TLS_CERT/TEMPORAL_TLS_KEY');
    await expect(connectNativeTemporal(temporal)).rejects.toThrow(reason);
  });

  it('a plaintext connection to the TLS server fails, suggesting TEMPORAL_TLS', async () => {
    await expect(connectTemporal(configWith({}), { connectTimeout: 3_000 }))
      .rejects.toThrow(/over plaintext: .*If it expects TLS, set TEMPORAL_TLS=true/);
  });
});

describe('Temporal connection settings', () => {
  const pem = path.join(os.tmpdir(), `testloom-tls-setting-${process.pid}.pem`);
  beforeAll(() => fs.writeFileSync(pem, 'not checked until connecting'));
  afterAll(() => fs.rmSync(pem, { force: true }));

  it('an API key implies TLS (Temporal Cloud) and goes into the connection options', () => {
    const temporal = loadConfig({ TEMPORAL_ADDRESS: 'acme.a1b2c.tmprl.cloud:7233', TEMPORAL_NAMESPACE: 'acme.a1b2c', TEMPORAL_API_KEY: 'key-0123456789abcdef' }).temporal;
    expect(temporalConnectionOptions(temporal)).toEqual({ address: 'acme.a1b2c.tmprl.cloud:7233', tls: {}, apiKey: 'key-0123456789abcdef' });
    expect(temporal.namespace).toBe('acme.a1b2c');
  });

  it('no TLS setting: plaintext, as the dev server speaks', () => {
    expect(temporalConnectionOptions(loadConfig({}).temporal)).toEqual({ address: '127.0.0.1:7233' });
  });

  it.each([
    [{ TEMPORAL_TLS_CERT: pem }, 'TEMPORAL_TLS_CERT is set: set TEMPORAL_TLS_KEY to its private key as well'],
    [{ TEMPORAL_TLS_KEY: pem }, 'TEMPORAL_TLS_KEY is set: set TEMPORAL_TLS_CERT to its certificate as well'],
    [{ TEMPORAL_TLS_CA: '/nonexistent/ca.pem' }, 'TEMPORAL_TLS_CA=/nonexistent/ca.pem: no readable file there (a PEM file is expected)'],
    [{ TEMPORAL_TLS: 'maybe' }, 'TEMPORAL_TLS=maybe: must be one of true, false'],
    [{ TESTLOOM_TEMPORAL_UI_URL: 'cloud.temporal.io' }, 'TESTLOOM_TEMPORAL_UI_URL=cloud.temporal.io: must be an absolute URL'],
  ])('%j is refused naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});
