import { DeleteCommand, GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { nowIso } from './dynamo-errors.ts';

export interface RefHead {
  repo: string;
  ref: string;
  sha: string;
  updatedAt: string;
}

/** Which commit each branch ("refs/heads/main") or pull request ("pull/12") points at now. */
export class RefsStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Points a ref at a commit; returns the commit it pointed at before, if any. */
  async set(repo: string, ref: string, sha: string): Promise<string | undefined> {
    const out = await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { repo, ref },
        UpdateExpression: 'SET sha = :s, updatedAt = :u',
        ExpressionAttributeValues: { ':s': sha, ':u': nowIso() },
        ReturnValues: 'UPDATED_OLD',
      }),
    );
    const old = out.Attributes?.sha as string | undefined;
    return old === sha ? undefined : old;
  }

  async get(repo: string, ref: string): Promise<RefHead | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: { repo, ref } }));
    return out.Item as RefHead | undefined;
  }

  /** Deletes a ref (branch deleted, PR closed); returns the commit it pointed at. */
  async delete(repo: string, ref: string): Promise<string | undefined> {
    const out = await this.db.send(new DeleteCommand({ TableName: this.table, Key: { repo, ref }, ReturnValues: 'ALL_OLD' }));
    return out.Attributes?.sha as string | undefined;
  }

  async list(repo: string): Promise<RefHead[]> {
    const out = await this.db.send(
      new QueryCommand({ TableName: this.table, KeyConditionExpression: 'repo = :r', ExpressionAttributeValues: { ':r': repo } }),
    );
    return (out.Items ?? []) as RefHead[];
  }
}
