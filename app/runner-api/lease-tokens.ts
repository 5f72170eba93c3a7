import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { Lease } from '../../lib/contract/index.ts';
import { sameText } from './runner-credentials.ts';

const leaseMac = (secret: string, jobId: string, attempt: number, runnerId: string, nonce: string): string =>
  createHmac('sha256', secret).update(`lease:${jobId}\0${attempt}\0${runnerId}\0${nonce}`).digest('base64url');

/**
 * A lease token, "<nonce>.<HMAC of job, attempt, runner, nonce>". The job row stores its sha256
 * (the current lease); the HMAC lets the control plane tell a lease it really gave this runner
 * for an earlier attempt (lost: stop quietly) from a forged or borrowed one (403).
 */
export function newLeaseToken(secret: string, jobId: string, attempt: number, runnerId: string): string {
  const nonce = randomBytes(16).toString('base64url');
  return `${nonce}.${leaseMac(secret, jobId, attempt, runnerId, nonce)}`;
}

/** The lease was issued by this control plane to this runner, for this job and attempt. */
export function leaseIsAuthentic(secret: string, lease: Lease, runnerId: string): boolean {
  const dot = lease.token.indexOf('.');
  if (dot <= 0) return false;
  return sameText(lease.token.slice(dot + 1), leaseMac(secret, lease.jobId, lease.attempt, runnerId, lease.token.slice(0, dot)));
}

export const leaseHash = (token: string): string => createHash('sha256').update(token).digest('hex');
