/**
 * The test run's temporary files in memory. Every harness copies a 39 MB PGlite directory, and the
 * databases, repositories and servers the tests start write and fsync many small files: on this
 * project's machines the disk made a copy of the template take ~0.8 s, a tmpfs ~0.05 s. Global
 * setup points TMPDIR (so `os.tmpdir()` in the test workers and every process they start) at a
 * fresh directory in /dev/shm when there is one; TESTLOOM_TEST_TMPDIR chooses another place, and
 * an empty one keeps the system's.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const MEMORY_FS = '/dev/shm';

function writable(dir: string): boolean {
  try {
    fs.accessSync(dir, fs.constants.W_OK);
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/** Makes the run's temporary root and sets TMPDIR to it; returns it (to remove at teardown), or undefined when the system's stays. */
export function useMemoryTmpdir(): string | undefined {
  const chosen = process.env.TESTLOOM_TEST_TMPDIR ?? (writable(MEMORY_FS) ? MEMORY_FS : '');
  if (!chosen) return undefined;
  const root = fs.mkdtempSync(path.join(chosen, 'testloom-tests-'));
  process.env.TESTLOOM_TEST_DISK_TMPDIR = os.tmpdir();
  process.env.TMPDIR = root;
  if (os.tmpdir() !== root) throw new Error(`TMPDIR=${root} is not used by os.tmpdir() (${os.tmpdir()})`);
  return root;
}

/** The system's temporary directory, on disk: for a test of what a disk does that a tmpfs does not. */
export function diskTmpdir(): string {
  return process.env.TESTLOOM_TEST_DISK_TMPDIR ?? os.tmpdir();
}
