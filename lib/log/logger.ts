import { pino, type Logger } from 'pino';

/** JSON logs (pino); child loggers carry delivery, repository, pipeline and job ids. */
/** The level comes from the caller's config (LOG_LEVEL, validated there), never from the environment. */
export function createLogger(opts: { level?: string; name?: string } = {}): Logger {
  return pino({ name: opts.name ?? 'cid', level: opts.level ?? 'info' });
}
export type { Logger };
