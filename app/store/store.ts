import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tableNames } from './table-names.ts';
import { RepositoriesStore } from './repositories-store.ts';
import { PipelinesStore } from './pipelines-store.ts';
import { RefsStore } from './refs-store.ts';
import { JobsStore } from './jobs-store.ts';
import { LogsStore } from './logs-store.ts';
import { DeliveriesStore } from './deliveries-store.ts';
import { ReportsStore } from './reports-store.ts';
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

export function createStore(db: DynamoDBDocumentClient, prefix: string): Store {
  const t = tableNames(prefix);
  return {
    db,
    repositories: new RepositoriesStore(db, t.repositories),
    pipelines: new PipelinesStore(db, t.pipelines),
    refs: new RefsStore(db, t.refs),
    jobs: new JobsStore(db, t.jobs),
    logs: new LogsStore(db, t.logs),
    deliveries: new DeliveriesStore(db, t.deliveries),
    reports: new ReportsStore(db, t.reports),
    runners: new RunnersStore(db, t.runners),
  };
}
