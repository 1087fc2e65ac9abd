/**
 * GitHub settings: a token or a complete app installation picks the GitHub host, partial or
 * conflicting settings stop start-up naming the variable, and the credentials count as secrets.
 */
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { redactText, secretsOf } from '../../api/security/redact';
import { loadConfig } from '../../lib/config';
import { createRepoHost } from '../../lib/repohost/from-config';

const PEM = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const TOKEN = 'github_pat_11AAAAAAA0abcdefghijklmnopqrstuvwxyz';

test('no credential: the local host; a token: GitHub at api.github.com', () => {
  const local = loadConfig({});
  expect(local.repos.host).toBe('local');
  expect(local.github).toMatchObject({ apiUrl: 'https://api.github.com' });
  expect(local.github.auth).toBeUndefined();

  const github = loadConfig({ GITHUB_TOKEN: TOKEN });
  expect(github.repos.host).toBe('github');
  expect(github.github.auth).toEqual({ kind: 'token', token: TOKEN });
  expect(createRepoHost(github, undefined as never).kind).toBe('github');
  expect(createRepoHost(loadConfig({ GITHUB_TOKEN: TOKEN, TESTLOOM_REPO_HOST: 'local' }), undefined as never).kind).toBe('local');
});

test('a GitHub App from PEM text (escaped newlines too) or a key file, on an Enterprise URL', () => {
  const escaped = loadConfig({ GITHUB_APP_ID: '123', GITHUB_APP_INSTALLATION_ID: '456', GITHUB_APP_PRIVATE_KEY: PEM.replace(/\n/g, '\\n'), GITHUB_API_URL: 'https://ghe.example.com/api/v3/' });
  expect(escaped.github).toMatchObject({ apiUrl: 'https://ghe.example.com/api/v3', auth: { kind: 'app', appId: '123', installationId: '456', privateKey: PEM } });
  expect(escaped.repos.host).toBe('github');

  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'testloom-key-')), 'app.pem');
  fs.writeFileSync(file, PEM);
  expect(loadConfig({ GITHUB_APP_ID: '123', GITHUB_APP_INSTALLATION_ID: '456', GITHUB_APP_PRIVATE_KEY_PATH: file }).github.auth).toMatchObject({ kind: 'app', privateKey: PEM });
});

test.each([
  [{ GITHUB_APP_ID: '123' }, 'GitHub App settings are incomplete: GITHUB_APP_ID set but GITHUB_APP_PRIVATE_KEY (or GITHUB_APP_PRIVATE_KEY_PATH) and GITHUB_APP_INSTALLATION_ID missing'],
  [{ GITHUB_APP_ID: '123', GITHUB_APP_PRIVATE_KEY: PEM }, 'GITHUB_APP_INSTALLATION_ID missing'],
  [{ GITHUB_APP_ID: 'abc' }, 'GITHUB_APP_ID=abc: must be a number'],
  [{ GITHUB_APP_ID: '1', GITHUB_APP_INSTALLATION_ID: '2', GITHUB_APP_PRIVATE_KEY: 'not a key' }, 'GITHUB_APP_PRIVATE_KEY: must be a PEM private key'],
  [{ GITHUB_APP_ID: '1', GITHUB_APP_INSTALLATION_ID: '2', GITHUB_APP_PRIVATE_KEY_PATH: '/nonexistent/app.pem' }, 'GITHUB_APP_PRIVATE_KEY_PATH=/nonexistent/app.pem: cannot be read (ENOENT)'],
  [{ GITHUB_TOKEN: TOKEN, GITHUB_APP_ID: '1' }, 'GITHUB_TOKEN and GitHub App settings are both set'],
  [{ TESTLOOM_REPO_HOST: 'github' }, 'TESTLOOM_REPO_HOST=github needs a credential: set GITHUB_TOKEN'],
  [{ TESTLOOM_REPO_HOST: 'gitlab' }, 'TESTLOOM_REPO_HOST=gitlab: must be local or github'],
  [{ GITHUB_API_URL: 'ghe.example.com' }, 'GITHUB_API_URL=ghe.example.com: must be an absolute URL'],
])('%j is refused, naming the variable', (env, message) => {
  expect(() => loadConfig(env)).toThrow(message);
});

test('the token and the private key (whole and line by line) are redacted', () => {
  expect(redactText(`token ${TOKEN} failed`, secretsOf(loadConfig({ GITHUB_TOKEN: TOKEN })))).toBe('token [redacted] failed');
  const secrets = secretsOf(loadConfig({ GITHUB_APP_ID: '1', GITHUB_APP_INSTALLATION_ID: '2', GITHUB_APP_PRIVATE_KEY: PEM }));
  expect(redactText(PEM, secrets)).toBe('[redacted]');
  const line = PEM.split('\n')[3];
  expect(redactText(`leaked ${line}`, secrets)).toBe('leaked [redacted]');
});
