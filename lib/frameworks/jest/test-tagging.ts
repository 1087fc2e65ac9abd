/**
 * A Jest setup file added to every run: it routes each fetch of a test through the recording proxy
 * and names the test on the request, so exchanges are matched to tests exactly rather than by time.
 * Requests for other origins go to the proxy's forward path, where the host policy applies.
 * pytest/testloom_pytest_plugin.py does the same for pytest suites (requests), with these header names.
 */
import { FORWARD_PREFIX, REFUSED_HEADER, TEST_HEADER } from '../shared/proxy-protocol';

export function testTaggingSetup(proxyOrigin: string, repoRoot: string): string {
  return `'use strict';
const path = require('node:path');
const PROXY_ORIGIN = ${JSON.stringify(proxyOrigin)};
const REPO_ROOT = ${JSON.stringify(repoRoot)};
const originalFetch = globalThis.fetch;

globalThis.fetch = async function testloomFetch(input, init) {
  const request = new Request(input, init);
  const url = new URL(request.url);
  const target = url.origin === PROXY_ORIGIN ? request.url : PROXY_ORIGIN + ${JSON.stringify(FORWARD_PREFIX)} + encodeURIComponent(request.url);
  const state = expect.getState();
  const headers = new Headers(request.headers);
  if (state.currentTestName) {
    const file = state.testPath ? path.relative(REPO_ROOT, state.testPath).split(path.sep).join('/') : '';
    headers.set(${JSON.stringify(TEST_HEADER)}, encodeURIComponent(JSON.stringify({ file, fullName: state.currentTestName })));
  }
  const body = request.body === null ? undefined : await request.arrayBuffer();
  const response = await originalFetch(target, {
    method: request.method, headers, body, redirect: request.redirect, signal: init && init.signal ? init.signal : request.signal,
  });
  const refused = response.headers.get(${JSON.stringify(REFUSED_HEADER)});
  if (refused) throw new Error('testloom refused the request: ' + decodeURIComponent(refused));
  return response;
};
`;
}
