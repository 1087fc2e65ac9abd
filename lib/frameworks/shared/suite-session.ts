/**
 * A test runner taking several commands in one process (the supervisor's `--session`): a JSON line
 * per command on its stdin, a JSON line per answer on its file descriptor 3. Same process group,
 * time limit and supervision as runSuiteProcess, per command; once the runner has ended (exited, or
 * killed at a time limit or by `signal`) the session answers no more commands.
 *
 * The answer and the output travel on different pipes, which arrive in no set order: before each
 * answer the runner writes the session's end mark (TESTLOOM_SESSION_MARK, then a newline) to its
 * stdout and its stderr, and a command is answered once the answer and every mark have arrived, so
 * each command gets all of its own output and none of the next one's.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { killGroup, SUPERVISOR, type SuiteProcessOptions } from './suite-process';

export const SESSION_MARK_ENV = 'TESTLOOM_SESSION_MARK';

export interface SessionReply<Reply> {
  /** The runner's answer; absent when it ended first (exited, or killed at the time limit). */
  reply?: Reply;
  /** Exit code when the runner ended instead of answering. */
  code: number | null;
  output: string;
  timedOut: boolean;
}

export class SuiteSession<Reply> {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly tail: number;
  private readonly mark = `\u001etestloom-session-end-${randomBytes(6).toString('hex')}\n`;
  private readonly streams: number;
  private output = '';
  private answers = '';
  private marked = 0;
  private reply?: { value: Reply };
  private pending?: (outcome: { reply?: Reply; code?: number | null }) => void;
  private exit?: number | null;

  constructor(options: Omit<SuiteProcessOptions, 'timeLimitMs' | 'signal'>) {
    this.tail = options.outputTail ?? 4000;
    this.child = spawn(process.execPath, [SUPERVISOR, '--session', options.command, ...options.args], {
      cwd: options.cwd,
      env: { ...options.env, [SESSION_MARK_ENV]: this.mark.slice(0, -1) },
      stdio: ['pipe', options.withStdout ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      detached: true,
    }) as unknown as ChildProcessWithoutNullStreams;
    this.streams = options.withStdout ? 2 : 1;
    if (options.withStdout) this.follow(this.child.stdout);
    this.follow(this.child.stderr);
    this.child.stdin.on('error', () => undefined); // a dead supervisor's pipe; its close ends the session
    (this.child.stdio[3] as Readable).on('data', (chunk: Buffer) => this.answered(chunk.toString()));
    this.child.on('error', () => this.ended(null));
    this.child.on('close', (code) => this.ended(code));
  }

  /** Whether the runner can still take a command. */
  get alive(): boolean {
    return this.exit === undefined;
  }

  request(command: unknown, limits: { timeLimitMs: number; signal?: AbortSignal }): Promise<SessionReply<Reply>> {
    if (!this.alive) return Promise.reject(new Error('the test runner has ended'));
    if (this.pending) return Promise.reject(new Error('the test runner is still answering a command'));
    this.output = '';
    let expired = false;
    const kill = () => killGroup(this.child);
    const timer = setTimeout(() => {
      expired = true;
      kill();
    }, limits.timeLimitMs);
    limits.signal?.addEventListener('abort', kill, { once: true });
    if (limits.signal?.aborted) kill();
    return new Promise((resolve) => {
      this.pending = ({ reply, code = null }) => {
        clearTimeout(timer);
        limits.signal?.removeEventListener('abort', kill);
        resolve({ ...(reply !== undefined ? { reply } : {}), code, output: this.output, timedOut: expired });
      };
      this.child.stdin.write(`${JSON.stringify(command)}\n`);
    });
  }

  /** Ends the runner (closing its stdin makes the supervisor end the group) and waits until it has gone. */
  close(): Promise<void> {
    if (!this.alive) return Promise.resolve();
    const gone = new Promise<void>((resolve) => this.child.once('close', () => resolve()));
    this.child.stdin.end();
    return gone;
  }

  /** Output up to an end mark is the current command's; the mark counts towards its answer. */
  private follow(stream: Readable): void {
    let held = '';
    stream.on('data', (chunk: Buffer) => {
      held += chunk.toString();
      for (let at = held.indexOf(this.mark); at >= 0; at = held.indexOf(this.mark)) {
        this.keep(held.slice(0, at));
        held = held.slice(at + this.mark.length);
        this.marked++;
        this.settleAnswer();
      }
      // What could be the start of a mark split across chunks waits for the next chunk.
      let keepBack = Math.min(held.length, this.mark.length - 1);
      while (keepBack > 0 && !this.mark.startsWith(held.slice(held.length - keepBack))) keepBack--;
      this.keep(held.slice(0, held.length - keepBack));
      held = held.slice(held.length - keepBack);
    });
  }

  private keep(text: string): void {
    if (text) this.output = (this.output + text).slice(-this.tail);
  }

  private answered(text: string): void {
    this.answers += text;
    for (let end = this.answers.indexOf('\n'); end >= 0; end = this.answers.indexOf('\n')) {
      const reply = parseAnswer<Reply>(this.answers.slice(0, end));
      this.answers = this.answers.slice(end + 1);
      if (reply === undefined) continue;
      this.reply = { value: reply };
      this.settleAnswer();
    }
  }

  private settleAnswer(): void {
    if (!this.reply || this.marked < this.streams) return;
    const { value } = this.reply;
    this.reply = undefined;
    this.marked -= this.streams;
    const settle = this.pending;
    this.pending = undefined;
    settle?.({ reply: value });
  }

  private ended(code: number | null): void {
    if (this.exit !== undefined) return;
    this.exit = code;
    this.child.stdin.destroy();
    const settle = this.pending;
    this.pending = undefined;
    settle?.(this.reply ? { reply: this.reply.value } : { code });
  }
}

/**
 * An answer line, or undefined for anything else: the suite's own code runs in the runner's process
 * and may write to its file descriptor 3 too; what it writes must not end this process.
 */
function parseAnswer<Reply>(line: string): Reply | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Reply) : undefined;
  } catch {
    return undefined;
  }
}
