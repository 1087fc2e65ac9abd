/**
 * Structured JSON logs (pino). One root logger per process; every part logs through a child of it
 * carrying its context (request id, run id, workflow id, stage, attempt, webhook delivery id).
 * Secrets never reach the output: known secret fields are censored by pino's `redact`, and
 * passwords inside URLs (`postgres://user:secret@host`) are masked wherever a URL appears in a message,
 * a logged field or an error.
 */
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { ENV_SETTINGS, type LogLevelName } from '../config/env';

export type { Logger } from 'pino';

/** The same mark the API's own secret redaction uses (api/security). */
export const REDACTED = '[redacted]';

/**
 * Fields censored wherever they appear (top level, one or two levels down, and the request and
 * response headers pino-http logs). pino's redact matches exact paths; `*` is one level.
 */
const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-hub-signature"]',
  'req.headers["x-hub-signature-256"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers["x-api-key"]',
  'authorization',
  '*.authorization',
  'password',
  '*.password',
  '*.*.password',
  'apiKey',
  '*.apiKey',
  '*.*.apiKey',
  'apiKeys',
  '*.apiKeys',
  '*.*.apiKeys',
  'api_key',
  '*.api_key',
  'token',
  '*.token',
  '*.*.token',
  'accessToken',
  '*.accessToken',
  'secret',
  '*.secret',
  '*.*.secret',
  'webhookSecret',
  '*.webhookSecret',
  '*.*.webhookSecret',
  'GITHUB_WEBHOOK_SECRET',
  '*.GITHUB_WEBHOOK_SECRET',
  'specWebhookSecret',
  '*.specWebhookSecret',
  '*.*.specWebhookSecret',
  'TESTLOOM_SPEC_WEBHOOK_SECRET',
  '*.TESTLOOM_SPEC_WEBHOOK_SECRET',
  'TESTLOOM_API_KEYS',
  '*.TESTLOOM_API_KEYS',
];

const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:@/?#]*):([^\s@/?#]+)@/gi;

/** `scheme://user:password@host` → `scheme://user:***@host`; other text is returned unchanged. */
export function maskUrlPasswords(text: string): string {
  return text.includes('://') ? text.replace(URL_CREDENTIALS, '$1:***@') : text;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Masks URL passwords in the strings of plain objects and arrays (not in class instances such as sockets). */
function maskDeep(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return maskUrlPasswords(value);
  if (depth <= 0) return value;
  if (Array.isArray(value)) return value.some((v) => typeof v === 'string' || typeof v === 'object') ? value.map((v) => maskDeep(v, depth - 1)) : value;
  if (!isPlainObject(value)) return value;
  let copy: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const masked = maskDeep(item, depth - 1);
    if (masked !== item) (copy ??= { ...value })[key] = masked;
  }
  return copy ?? value;
}

/** pino's error serializer (type, message, stack, cause, own fields), with URL passwords masked. */
const errorSerializer = (err: unknown): unknown => {
  const serialized: unknown = pino.stdSerializers.err(err as Error);
  if (serialized === null || typeof serialized !== 'object') return maskDeep(serialized, 0);
  return Object.fromEntries(Object.entries(serialized).map(([key, value]) => [key, maskDeep(value, 2)]));
};

export interface LoggerSettings {
  /** Default: TESTLOOM_LOG_LEVEL, else info. */
  level?: string;
  /** Where lines go: a stream (tests), a file path (created with its folder), or stdout (default). */
  destination?: DestinationStream | string;
  /** Fields on every line. */
  base?: Record<string, unknown>;
}

function levelFromEnv(env: NodeJS.ProcessEnv = process.env): LogLevelName {
  const raw = env[ENV_SETTINGS.logLevel.name];
  if (!raw) return ENV_SETTINGS.logLevel.fallback();
  try {
    return ENV_SETTINGS.logLevel.parse(raw, ENV_SETTINGS.logLevel.name);
  } catch {
    return ENV_SETTINGS.logLevel.fallback();
  }
}

function loggerOptions(settings: Pick<LoggerSettings, 'level' | 'base'> = {}): LoggerOptions {
  return {
    level: settings.level ?? levelFromEnv(),
    base: { pid: process.pid, ...settings.base },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      log: (object) => maskDeep(object, 4) as Record<string, unknown>,
    },
    serializers: { err: errorSerializer, error: errorSerializer },
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    hooks: {
      logMethod(args, method) {
        // Mask URL passwords in the message (and printf-style arguments) too.
        method.apply(this, args.map((arg) => (typeof arg === 'string' ? maskUrlPasswords(arg) : arg)) as Parameters<typeof method>);
      },
    },
  };
}

export function createLogger(settings: LoggerSettings = {}): Logger {
  const { destination } = settings;
  const options = loggerOptions(settings);
  if (destination === undefined) return pino(options);
  if (typeof destination === 'string') return pino(options, pino.destination({ dest: destination, mkdir: true, sync: false }));
  return pino(options, destination);
}

let root: Logger | undefined;

/** The process's logger; created on first use with TESTLOOM_LOG_LEVEL, writing to stdout. */
export function rootLogger(): Logger {
  return (root ??= createLogger());
}

/** Replaces the process's logger (entry points: level from config; tests: a capturing stream). Returns the previous one. */
export function setRootLogger(logger: Logger): Logger | undefined {
  const previous = root;
  root = logger;
  return previous;
}

/** Sets up the process's logger from the validated configuration (`config.logLevel`). */
export function configureLogging(settings: LoggerSettings): Logger {
  const logger = createLogger(settings);
  setRootLogger(logger);
  return logger;
}
