// What the web routes share: services, the access checker, session cookies, and the viewer of
// the current request.
import type { Context } from 'hono';
import type { Services } from '../services.ts';
import { AccessChecker, ANONYMOUS, type Viewer } from './access.ts';
import type { ViewContext } from './views/common.ts';
import { SessionCookies, type Session } from './session.ts';

export interface Web {
  svc: Services;
  access: AccessChecker;
  /** Undefined when CID_SESSION_SECRET is unset (nobody can sign in). */
  cookies?: SessionCookies;
  canSignIn: boolean;
}

export function createWeb(svc: Services): Web {
  const ui = svc.config.webUi;
  const cookies = ui.sessionSecret ? new SessionCookies(ui.sessionSecret, svc.config.publicUrl.startsWith('https:')) : undefined;
  return { svc, access: new AccessChecker(ui.apiUrl), ...(cookies ? { cookies } : {}), canSignIn: Boolean(cookies && ui.oauth) };
}

export const sessionOf = (web: Web, c: Context): Session | undefined => web.cookies?.read(c);

export function viewerOfSession(s: Session | undefined): Viewer {
  return s ? { kind: 'user', login: s.login, token: s.token } : ANONYMOUS;
}

/** The current path with its query, for "sign in and come back here". */
export function herePath(c: Context): string {
  const u = new URL(c.req.url);
  return u.pathname + u.search;
}

export function viewContext(web: Web, c: Context, s: Session | undefined): ViewContext {
  return { ...(s ? { user: { login: s.login, csrf: s.csrf } } : {}), canSignIn: web.canSignIn, path: herePath(c) };
}

const CSP = [
  "default-src 'none'",
  "style-src 'self'",
  // The log's 256-colour and true-colour spans carry their colour inline.
  "style-src-attr 'unsafe-inline'",
  "script-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export function htmlHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'same-origin',
    'cache-control': 'no-store',
    ...extra,
  };
}
