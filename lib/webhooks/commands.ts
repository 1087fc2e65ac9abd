/** `/testloom …` commands in issue comments. Only the first line of a comment is read as a command. */
export type Command = { name: 'regenerate'; feedback: string } | { name: 'cancel' };

const COMMAND = /^\/testloom(?:\s+(\S+))?(?:[ \t]+(.*))?$/;

/**
 * The command a comment gives, or a description of why it is not one. The feedback of
 * `regenerate` is the rest of the first line plus any further lines.
 */
export function parseCommand(body: string): Command | { error: string } | undefined {
  const [first, ...rest] = body.replace(/\r\n/g, '\n').trim().split('\n');
  const match = COMMAND.exec(first.trim());
  if (!match) return undefined;
  const [, name, inline] = match;
  if (name === 'regenerate') return { name, feedback: [inline ?? '', ...rest].join('\n').trim() };
  if (name === 'cancel') return { name };
  return { error: `unknown command "${`/testloom ${name ?? ''}`.trim()}"; use /testloom regenerate [feedback] or /testloom cancel` };
}
