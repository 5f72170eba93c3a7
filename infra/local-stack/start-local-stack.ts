import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { startFauxqs } from 'fauxqs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createQueues, createTables } from './create-resources.ts';

export interface LocalStack {
  dynamoEndpoint: string;
  sqsEndpoint: string;
  region: string;
  stop(): Promise<void>;
}

export interface LocalStackOptions {
  /** Directory for dynalite's LevelDB files; omitted = in memory (tests). */
  dataDir?: string;
  tablePrefix: string;
  queuePrefix: string;
  region?: string;
  dynamoPort?: number;
  sqsPort?: number;
}

const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * The embedded backend: dynalite (DynamoDB on disk) and fauxqs (SQS in memory) in this process,
 * with cid's tables and queues created from the same definitions production uses.
 */
export async function startLocalStack(opts: LocalStackOptions): Promise<LocalStack> {
  const region = opts.region ?? 'us-east-1';
  let path: string | undefined;
  if (opts.dataDir) {
    path = join(opts.dataDir, 'dynamodb');
    mkdirSync(path, { recursive: true });
  }
  // Short create/delete delays keep start-up quick; dynalite defaults to 500 ms per table.
  const dyn = dynalite({ path, createTableMs: 5, deleteTableMs: 5, updateTableMs: 5 });
  await new Promise<void>((resolve, reject) => {
    dyn.once('error', reject);
    dyn.listen(opts.dynamoPort ?? 0, '127.0.0.1', () => resolve());
  });
  const dynamoEndpoint = `http://127.0.0.1:${(dyn.address() as AddressInfo).port}`;

  const sqsServer = await startFauxqs({ port: opts.sqsPort ?? 0, host: '127.0.0.1', logger: false });
  const sqsEndpoint = `http://127.0.0.1:${sqsServer.port}`;

  const db = new DynamoDBClient({ region, endpoint: dynamoEndpoint, credentials: localCredentials });
  const sqs = new SQSClient({ region, endpoint: sqsEndpoint, credentials: localCredentials });
  try {
    await createTables(db, opts.tablePrefix);
    await createQueues(sqs, opts.queuePrefix);
  } finally {
    db.destroy();
    sqs.destroy();
  }

  return {
    dynamoEndpoint,
    sqsEndpoint,
    region,
    async stop() {
      await sqsServer.stop();
      await new Promise<void>((resolve) => dyn.close(() => resolve()));
    },
  };
}
