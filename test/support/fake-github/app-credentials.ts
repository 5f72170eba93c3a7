// Test GitHub App credentials and verification of the App JWTs signed with them.
import { createPublicKey, createSign, generateKeyPairSync, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

export interface AppCredentials {
  appId: number;
  /** PKCS#1 PEM ("BEGIN RSA PRIVATE KEY"), the format GitHub hands out for App keys. */
  privateKeyPem: string;
  publicKeyPem: string;
  slug: string;
  clientId: string;
}

/** A fresh RSA key pair and app identity. Key generation costs ~100 ms; see testAppCredentials. */
export function generateAppCredentials(appId = 424242, slug = 'cid-test'): AppCredentials {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    appId,
    slug,
    clientId: `Iv1.${appId.toString(16).padStart(16, '0')}`,
    privateKeyPem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

let shared: AppCredentials | undefined;

/** One key pair per test process, shared by every fake and app started in it. */
export function testAppCredentials(): AppCredentials {
  shared ??= generateAppCredentials();
  return shared;
}

/**
 * Signs an App JWT as GitHub expects (RS256, iat 60 s back, exp 9 minutes ahead). The claims can
 * be overridden to produce the broken tokens tests need.
 */
export function signAppJwt(
  creds: Pick<AppCredentials, 'appId' | 'privateKeyPem'>,
  claims: { iat?: number; exp?: number; iss?: string | number } = {},
  nowMs = Date.now(),
): string {
  const now = Math.floor(nowMs / 1000);
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const payload = { iat: claims.iat ?? now - 60, exp: claims.exp ?? now + 540, iss: claims.iss ?? creds.appId };
  const input = `${enc({ alg: 'RS256', typ: 'JWT' })}.${enc(payload)}`;
  const signature = createSign('RSA-SHA256').update(input).sign(creds.privateKeyPem).toString('base64url');
  return `${input}.${signature}`;
}

export type JwtCheck =
  | { ok: true; issuer: string; issuedAt: number; expiresAt: number }
  | { ok: false; message: string };

const GITHUB_JWT_DECODE_ERROR = 'A JSON web token could not be decoded';

function decodePart(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Checks an App JWT the way GitHub does: RS256 signature by the app's key, `iss` naming the app
 * (id or client id), `iat` not in the future and `exp` at most ten minutes ahead (GitHub allows
 * a little clock drift; so do we). Messages are GitHub's.
 */
export function verifyAppJwt(
  jwt: string,
  app: { appId: number; clientId: string; publicKey: KeyObject | string },
  nowMs: number,
): JwtCheck {
  const parts = jwt.split('.');
  if (parts.length !== 3) return { ok: false, message: GITHUB_JWT_DECODE_ERROR };
  const [h, p, s] = parts as [string, string, string];
  const header = decodePart(h);
  const payload = decodePart(p);
  if (!header || !payload || header.alg !== 'RS256') return { ok: false, message: GITHUB_JWT_DECODE_ERROR };
  const key = typeof app.publicKey === 'string' ? createPublicKey(app.publicKey) : app.publicKey;
  const signatureOk = verify('RSA-SHA256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'));
  if (!signatureOk) return { ok: false, message: GITHUB_JWT_DECODE_ERROR };
  const now = Math.floor(nowMs / 1000);
  const { iat, exp, iss } = payload;
  if (typeof iat !== 'number' || !Number.isInteger(iat) || iat > now + 60) {
    return {
      ok: false,
      message: "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued.",
    };
  }
  if (typeof exp !== 'number' || exp <= now) {
    return {
      ok: false,
      message:
        "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires.",
    };
  }
  if (exp > now + 600 + 60) {
    return { ok: false, message: "'Expiration time' claim ('exp') is too far in the future." };
  }
  if (String(iss) !== String(app.appId) && iss !== app.clientId) {
    return { ok: false, message: "'Issuer' claim ('iss') must be an Integer" };
  }
  return { ok: true, issuer: String(iss), issuedAt: iat, expiresAt: exp };
}
