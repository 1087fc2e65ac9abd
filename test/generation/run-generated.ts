import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs/promises';
import path from 'node:path';
import { NODE_MODULES } from './spec-fixtures';

/** Runs generated suites the way a target repository's user would: Jest from node_modules, pytest from the system Python. */

const JEST_BIN = path.join(NODE_MODULES, 'jest/bin/jest.js');

export interface JestResults {
  success: boolean;
  numTotalTests: number;
  numPassedTests: number;
  numFailedTests: number;
  testResults: { assertionResults: { fullName: string; title: string; status: string; failureMessages: string[] }[] }[];
}

/**
 * Runs the generated suite the way a user of the target repository would: the project's Jest with
 * the generated jest.config.json, dependencies found through `<repo>/node_modules`. Asynchronous,
 * so the API server in this process keeps answering.
 */
export async function runGeneratedSuite(repoDir: string, outDir: string, env: Record<string, string>): Promise<JestResults> {
  const outputFile = path.join(repoDir, 'jest-results.json');
  const args = [
    JEST_BIN,
    '--config', path.join(repoDir, outDir, 'jest.config.json'),
    '--json', '--outputFile', outputFile,
    '--ci', '--no-watchman', '--cacheDirectory', path.join(repoDir, '.jest-cache'),
  ];
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv.JEST_WORKER_ID;
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: repoDir, env: childEnv, stdio: ['ignore', 'ignore', 'pipe'] });
    let output = '';
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({ code: exitCode, stderr: output }));
  });
  const results = await fs.readFile(outputFile, 'utf8').catch(() => {
    throw new Error(`jest exited with ${code} and wrote no results:\n${stderr}`);
  });
  return JSON.parse(results) as JestResults;
}

export function assertions(results: JestResults) {
  return results.testResults.flatMap((file) => file.assertionResults);
}

/** Each test that did not pass, as `full name: failure messages`. */
export function failuresOf(results: JestResults): string[] {
  return assertions(results).filter((a) => a.status !== 'passed').map((a) => `${a.fullName}: ${a.failureMessages.join('\n')}`);
}

/** The full names of the tests that did not pass. */
export function failingNames(results: JestResults): string[] {
  return assertions(results).filter((a) => a.status !== 'passed').map((a) => a.fullName);
}

/** Runs the generated Jest suite against a sample API as it starts, then closes the API. */
export async function runAgainst(repoDir: string, outDir: string, starting: Promise<{ baseUrl: string; close(): Promise<void> }>): Promise<JestResults> {
  const api = await starting;
  try {
    return await runGeneratedSuite(repoDir, outDir, { API_BASE_URL: api.baseUrl });
  } finally {
    await api.close();
  }
}

/** A sample API served on a free loopback port. */
export async function serveOnLoopback(app: http.RequestListener): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}


/** Runs the generated pytest suite with the system Python's pytest and requests (nothing is installed). */
export async function runPytest(
  repoDir: string, outDir: string, baseUrl: string, env: Record<string, string> = {},
): Promise<{ code: number | null; text: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-m', 'pytest', '-q', '-rf', '-p', 'no:cacheprovider', outDir], {
      cwd: repoDir,
      // COLUMNS: pytest cuts the short summary lines to the terminal width.
      env: { PATH: process.env.PATH ?? '', API_BASE_URL: baseUrl, PYTHONDONTWRITEBYTECODE: '1', COLUMNS: '500', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, text }));
  });
}

