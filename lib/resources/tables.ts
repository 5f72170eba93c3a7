/**
 * DynamoDB tables, defined once: the local stack creates them from here and serverless.yml's
 * CloudFormation is generated from here, so local and production never drift apart.
 */
export interface KeyAttr {
  name: string;
  type: 'S' | 'N';
}

export interface IndexDef {
  name: string;
  hash: KeyAttr;
  range?: KeyAttr;
}

export interface TableDef {
  /** Logical name used by the code; the physical name is `${prefix}-${key}`. */
  key: TableKey;
  hash: KeyAttr;
  range?: KeyAttr;
  indexes: IndexDef[];
  /** Attribute holding an epoch-seconds expiry. DynamoDB deletes on its own; dynalite has no TTL, so readers filter too. */
  ttlAttribute?: string;
}

export type TableKey = 'repositories' | 'pipelines' | 'refs' | 'jobs' | 'logs' | 'deliveries' | 'reports' | 'runners';

export const TABLES: readonly TableDef[] = [
  {
    key: 'repositories',
    hash: { name: 'name', type: 'S' },
    indexes: [{ name: 'by-installation', hash: { name: 'installationId', type: 'N' } }],
  },
  {
    key: 'pipelines',
    hash: { name: 'id', type: 'S' },
    indexes: [{ name: 'by-repo', hash: { name: 'repo', type: 'S' }, range: { name: 'createdAt', type: 'S' } }],
  },
  {
    // The commit each branch or PR points at now.
    key: 'refs',
    hash: { name: 'repo', type: 'S' },
    range: { name: 'ref', type: 'S' },
    indexes: [],
  },
  {
    key: 'jobs',
    hash: { name: 'id', type: 'S' },
    indexes: [
      { name: 'by-pipeline', hash: { name: 'pipelineId', type: 'S' }, range: { name: 'name', type: 'S' } },
      // Sparse: only queued jobs carry `queuedSince`, so the sweeper reads just those.
      { name: 'by-queued', hash: { name: 'queuedPool', type: 'S' }, range: { name: 'queuedSince', type: 'S' } },
      // Sparse likewise: running jobs carry `runningPool`, so the sweeper finds those whose runner died.
      { name: 'by-running', hash: { name: 'runningPool', type: 'S' }, range: { name: 'startedAt', type: 'S' } },
    ],
  },
  {
    key: 'logs',
    hash: { name: 'logId', type: 'S' },
    range: { name: 'seq', type: 'N' },
    indexes: [],
  },
  {
    key: 'deliveries',
    hash: { name: 'id', type: 'S' },
    indexes: [],
    ttlAttribute: 'expiresAt',
  },
  {
    // What was last reported where: a PR's status comment (its id, last edit, a deferred edit),
    // the commit statuses set, Slack messages sent. Keeps reports idempotent and edits coalesced.
    key: 'reports',
    hash: { name: 'id', type: 'S' },
    indexes: [],
    ttlAttribute: 'expiresAt',
  },
  {
    // Registered runners (the runner API): pool, current registration, last seen, revocation.
    key: 'runners',
    hash: { name: 'id', type: 'S' },
    indexes: [],
  },
];

export function tableName(prefix: string, key: TableKey): string {
  return `${prefix}-${key}`;
}
