import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type * as z from 'zod';
import { ApiError } from '../../lib/net/testloom-api';

/** A request the tool's schema allows but that asks for something impossible: the message names the field. */
export class ArgumentError extends Error {
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
  }
}

/**
 * Structured content in the tool's output schema (`parse` drops any field the schema does not name,
 * which a client checking against the published JSON Schema would refuse), and the same as text for
 * clients that read only text, after a line saying what it is.
 */
export function answer<T extends Record<string, unknown>>(schema: z.ZodType<T>, value: unknown, summary: string): CallToolResult {
  const structured = schema.parse(value);
  return { content: [{ type: 'text', text: `${summary}\n${JSON.stringify(structured, null, 2)}` }], structuredContent: structured };
}

/** The API's refusal (its message names the field of a bad request) or an argument error, as an MCP tool error. */
export function toolError(err: unknown): CallToolResult {
  if (err instanceof ApiError) {
    const fields = err.details.filter((d) => d.field).map((d) => `${d.field}: ${d.message}`);
    const extra = fields.length && !fields.every((f) => err.message.includes(f)) ? ` (${fields.join('; ')})` : '';
    return { content: [{ type: 'text', text: `testloom API ${err.status} ${err.code}: ${err.message}${extra}` }], isError: true };
  }
  if (err instanceof ArgumentError) return { content: [{ type: 'text', text: err.message }], isError: true };
  throw err;
}

/** Runs a tool's work; what the API or the arguments refuse becomes a tool error, anything else stays an error of the call. */
export async function guarded(work: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await work();
  } catch (err) {
    return toolError(err);
  }
}
