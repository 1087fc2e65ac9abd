/** Parsing a model's text as JSON, tolerating the Markdown fence some models wrap it in. */
export type ParsedOutput = { ok: true; value: unknown } | { ok: false; error: string };

const FENCE = /^```[a-zA-Z0-9_-]*\s*\n([\s\S]*?)\n?```\s*$/;

export function parseJsonOutput(text: string): ParsedOutput {
  const trimmed = text.trim();
  const candidates = [trimmed];
  const fenced = FENCE.exec(trimmed);
  if (fenced) candidates.push(fenced[1].trim());
  let error = 'empty output';
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      return { ok: true, value: JSON.parse(candidate) };
    } catch (err) {
      error = (err as Error).message;
    }
  }
  return { ok: false, error: `output is not JSON: ${error}` };
}
