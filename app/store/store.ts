import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tableNames } from './table-names.ts';
import { RepositoriesStore } from './repositories-store.ts';
import { PipelinesStore } from './pipelines-store.ts';
import { RefsStore } from './refs-store.ts';
import { JobsStore } from './jobs-store.ts';
import { LogsStore } from './logs-store.ts';
import { DeliveriesStore } from './deliveries-store.ts';
import { ReportsStore } from './reports-store.ts';
import { DEFAULT_RETENTION_DAYS } from './retention.ts';
import { RunnersStore } from './runners-store.ts';

/** All of cid's records, one store per table. */
export interface Store {
  db: DynamoDBDocumentClient;
  repositories: RepositoriesStore;
  pipelines: PipelinesStore;
  refs: RefsStore;
  jobs: JobsStore;
  logs: LogsStore;
  deliveries: DeliveriesStore;
  reports: ReportsStore;
  runners: RunnersStore;
}

export interface StoreOptions {
  /** Days jobs, pipelines and logs are kept (CID_RETENTION_DAYS): their `expiresAt` TTL. */
  retentionDays?: number;
}

export function createStore(db: DynamoDBDocumentClient, prefix: string, opts: StoreOptions = {}): Store {
  const t = tableNames(prefix);
  const days = opts.retentionDays ?? DEFAULT_RETENTION_DAYS;
  return {
    db,
    repositories: new RepositoriesStore(db, t.repositories),
    pipelines: new PipelinesStore(db, t.pipelines, days),
    refs: new RefsStore(db, t.refs),
    jobs: new JobsStore(db, t.jobs, days),
    logs: new LogsStore(db, t.logs, days),
    deliveries: new DeliveriesStore(db, t.deliveries),
    reports: new ReportsStore(db, t.reports),
    runners: new RunnersStore(db, t.runners),
  };
}
