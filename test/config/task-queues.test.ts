/** The execute task queue in temporal.yaml (optional for files written before it) and `testloom worker --queues`. */
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../lib/config';
import { parseTemporalConfig } from '../../lib/config/temporal-config';
import { parseQueues } from '../../workers/process';

const PROJECT_FILE = fs.readFileSync(path.join(PROJECT_ROOT, 'temporal.yaml'), 'utf8');

describe('task queues', () => {
  it('temporal.yaml names the execute queue and its concurrency', () => {
    const settings = parseTemporalConfig(PROJECT_FILE);
    expect(settings.taskQueues).toEqual({ io: 'testloom', llm: 'testloom-llm', execute: 'testloom-execute' });
    expect(settings.worker.executeMaxConcurrentActivityTaskExecutions).toBe(2);
  });

  it('a file from before the execute queue gets <io>-execute and the default concurrency', () => {
    const old = PROJECT_FILE.replace(/^ {2}execute: .*\n/m, '').replace(/^ {2}executeMaxConcurrentActivityTaskExecutions: .*\n/m, '');
    expect(old).not.toContain('testloom-execute');
    const settings = parseTemporalConfig(old);
    expect(settings.taskQueues).toEqual({ io: 'testloom', llm: 'testloom-llm', execute: 'testloom-execute' });
    expect(settings.worker.executeMaxConcurrentActivityTaskExecutions).toBe(2);
    expect(parseTemporalConfig(old.replace('io: testloom ', 'io: acme ')).taskQueues.execute).toBe('acme-execute');
  });

  it('rejects an empty execute queue or concurrency, naming the setting', () => {
    expect(() => parseTemporalConfig(PROJECT_FILE.replace('execute: testloom-execute', 'execute: ""'))).toThrow('taskQueues.execute: must NOT have fewer than 1 characters');
    expect(() => parseTemporalConfig(PROJECT_FILE.replace('executeMaxConcurrentActivityTaskExecutions: 2', 'executeMaxConcurrentActivityTaskExecutions: 0')))
      .toThrow('worker.executeMaxConcurrentActivityTaskExecutions: must be >= 1');
  });

  it('--queues takes any of io, llm, execute, each once, and names an unknown one', () => {
    expect(parseQueues('execute,io')).toEqual(['io', 'execute']);
    expect(parseQueues(' llm ,llm')).toEqual(['llm']);
    expect(() => parseQueues('io,gpu')).toThrow('--queues io,gpu: must be a comma-separated list of io, llm, execute (unknown: gpu)');
    expect(() => parseQueues('')).toThrow('--queues : must be a comma-separated list of io, llm, execute');
  });
});
