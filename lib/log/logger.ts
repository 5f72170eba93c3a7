import { pino, type Logger } from 'pino';

/** JSON logs (pino); child loggers carry delivery, repository, pipeline and job ids. */
export function createLogger(opts: { level?: string; name?: string } = {}): Logger {
  return pino({ name: opts.name ?? 'cid', level: opts.level ?? process.env.LOG_LEVEL ?? 'info' });
}
export type { Logger };
