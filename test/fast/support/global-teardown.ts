import fs from 'node:fs';

export default function globalTeardown(): void {
  const dir = (globalThis as Record<string, unknown>).__testloomFastTmp;
  if (typeof dir === 'string') fs.rmSync(dir, { recursive: true, force: true });
}
