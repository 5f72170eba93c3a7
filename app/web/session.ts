// Sessions live in the browser, sealed: AES-256-GCM under a key derived (HMAC-SHA256) from
// CID_SESSION_SECRET. Sealing, not only signing, because the session carries the user's GitHub
// token; GCM's tag authenticates it, so a forged or edited cookie is simply absent. Nothing is
// stored server-side, which suits Lambda.
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';

export const SESSION_COOKIE = 'cid_session';
export const OAUTH_COOKIE = 'cid_oauth';

const SessionSchema = z.object({
  login: z.string().min(1),
  token: z.string().min(1),
  /** Per-session CSRF token, echoed by every form as a hidden field. */
  csrf: z.string().min(16),
  /** Expiry, epoch seconds. */
  exp: z.number().int(),
});
export type Session = z.infer<typeof SessionSchema>;

const OAuthStateSchema = z.object({ state: z.string().min(16), returnTo: z.string(), exp: z.number().int() });
export type OAuthState = z.infer<typeof OAuthStateSchema>;

export class Sealer {
  private readonly key: Buffer;

  constructor(secret: string, purpose: string) {
    this.key = createHmac('sha256', secret).update(`cid-web:${purpose}`).digest();
  }

  seal(value: unknown): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64url');
  }

  /** The sealed value, or undefined if it was not sealed by this key (or was altered). */
  unseal(sealed: string): unknown {
    try {
      const buf = Buffer.from(sealed, 'base64url');
      if (buf.length < 29) return undefined;
      const decipher = createDecipheriv('aes-256-gcm', this.key, buf.subarray(0, 12));
      decipher.setAuthTag(buf.subarray(12, 28));
      const text = Buffer.concat([decipher.update(buf.subarray(28)), decipher.final()]).toString('utf8');
      return JSON.parse(text) as unknown;
    } catch {
      return undefined;
    }
  }
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

export const newToken = (): string => randomBytes(24).toString('base64url');

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Reads and writes the session and OAuth-state cookies of one deployment. */
export class SessionCookies {
  private readonly sessions: Sealer;
  private readonly states: Sealer;

  constructor(
    secret: string,
    private readonly secure: boolean,
  ) {
    this.sessions = new Sealer(secret, 'session');
    this.states = new Sealer(secret, 'oauth-state');
  }

  read(c: Context): Session | undefined {
    const cookie = getCookie(c, SESSION_COOKIE);
    if (!cookie) return undefined;
    const parsed = SessionSchema.safeParse(this.sessions.unseal(cookie));
    if (!parsed.success || parsed.data.exp <= nowSeconds()) return undefined;
    return parsed.data;
  }

  write(c: Context, s: Omit<Session, 'csrf'>): Session {
    const session = { ...s, csrf: newToken() };
    setCookie(c, SESSION_COOKIE, this.sessions.seal(session), {
      path: '/',
      httpOnly: true,
      secure: this.secure,
      sameSite: 'Lax',
      maxAge: Math.max(0, s.exp - nowSeconds()),
    });
    return session;
  }

  clear(c: Context): void {
    deleteCookie(c, SESSION_COOKIE, { path: '/', secure: this.secure });
  }

  readOAuthState(c: Context): OAuthState | undefined {
    const cookie = getCookie(c, OAUTH_COOKIE);
    if (!cookie) return undefined;
    const parsed = OAuthStateSchema.safeParse(this.states.unseal(cookie));
    if (!parsed.success || parsed.data.exp <= nowSeconds()) return undefined;
    return parsed.data;
  }

  writeOAuthState(c: Context, returnTo: string): OAuthState {
    const st = { state: newToken(), returnTo, exp: nowSeconds() + 600 };
    // Lax: the cookie must come back on GitHub's top-level redirect to the callback.
    setCookie(c, OAUTH_COOKIE, this.states.seal(st), { path: '/login', httpOnly: true, secure: this.secure, sameSite: 'Lax', maxAge: 600 });
    return st;
  }

  clearOAuthState(c: Context): void {
    deleteCookie(c, OAUTH_COOKIE, { path: '/login', secure: this.secure });
  }
}
