import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import type { Level } from 'pino';
import { rootLogger } from './logger';

/**
 * The SDK logs every worker state change, poller start and bundle build at INFO: routine, so they
 * are one level down here (INFO → debug, DEBUG/TRACE → trace). Warnings and errors stay as they are.
 */
const LEVELS: Record<LogLevel, Level> = { TRACE: 'trace', DEBUG: 'trace', INFO: 'debug', WARN: 'warn', ERROR: 'error' };

/**
 * SDK warnings about what testloom does on purpose, at debug too: its llm and execute workers run
 * activities only (QUEUE_KINDS in workers/worker.ts), and the SDK warns at the start of each that it
 * polls no workflow tasks. A warning in every start-up would teach people to ignore warnings.
 */
const INTENDED: ReadonlySet<string> = new Set(['No workflows registered, not polling for workflow tasks']);

/**
 * The Temporal Runtime's logger (worker, bundler, activity and workflow logging, and the native
 * core's log lines when forwarded) as JSON lines through the process's pino logger. The logger is
 * looked up on every call, so replacing the root logger (tests) redirects the SDK's lines too.
 */
export class PinoTemporalLogger implements TemporalLogger {
  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    const pinoLevel = level === 'WARN' && INTENDED.has(message) ? 'debug' : (LEVELS[level] ?? 'info');
    const logger = rootLogger();
    if (!logger.isLevelEnabled(pinoLevel)) return;
    const { error, ...fields } = (meta ?? {}) as Record<string, unknown>;
    logger[pinoLevel]({ component: 'temporal', ...fields, ...(error !== undefined ? { err: error } : {}) }, message);
  }

  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }

  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }

  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }

  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }

  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}
