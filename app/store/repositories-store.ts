import { DeleteCommand, GetCommand, PutCommand, QueryCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { RepoNameSchema, RepositorySchema, type Repository } from '../../lib/contract/index.ts';
import { ConflictError, NotFoundError } from '../../lib/errors/index.ts';
import { decodeCursor, encodeCursor } from './page-cursor.ts';
import { isConditionFailed, nowIso } from './dynamo-errors.ts';
import { batchGetInOrder } from './batch-get.ts';

export type RepositoryInput = Omit<Repository, 'createdAt' | 'updatedAt'>;

export interface Page<T> {
  items: T[];
  /** Opaque; pass back to get the next page. Absent on the last page. */
  cursor?: string;
}

/** The table's key, as a cursor may hold it: nothing else is accepted as a start key. */
const RepositoryKey = z.strictObject({ name: RepoNameSchema });

/** A name used as a key: DynamoDB refuses long keys with a 500-worthy error, so bad names are a 400 first. */
const key = (name: string): { name: string } => ({ name: RepoNameSchema.parse(name) });

/** The repository index: one record per repository, keyed by "owner/repo". */
export class RepositoriesStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async add(input: RepositoryInput): Promise<Repository> {
    const now = nowIso();
    const repo = RepositorySchema.parse({ ...input, createdAt: now, updatedAt: now });
    try {
      await this.db.send(new PutCommand({ TableName: this.table, Item: repo, ConditionExpression: 'attribute_not_exists(#n)', ExpressionAttributeNames: { '#n': 'name' } }));
    } catch (err) {
      if (isConditionFailed(err)) throw new ConflictError(`repository ${input.name} is already in the index`);
      throw err;
    }
    return repo;
  }

  /** Creates or refreshes a record from GitHub's view of the repository (installation events, pushes). */
  async upsert(input: RepositoryInput): Promise<Repository> {
    const now = nowIso();
    const repo = RepositorySchema.parse({ ...input, createdAt: now, updatedAt: now });
    const { createdAt: _c, name: _n, ...rest } = repo;
    const names: Record<string, string> = { '#c': 'createdAt' };
    const values: Record<string, unknown> = { ':c': now };
    const sets = Object.entries(rest)
      .filter(([, v]) => v !== undefined)
      .map(([k, v], i) => {
        names[`#a${i}`] = k;
        values[`:a${i}`] = v;
        return `#a${i} = :a${i}`;
      });
    const out = await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { name: repo.name },
        UpdateExpression: `SET ${sets.join(', ')}, #c = if_not_exists(#c, :c)`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return RepositorySchema.parse(out.Attributes);
  }

  async get(name: string): Promise<Repository | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: key(name) }));
    return out.Item ? RepositorySchema.parse(out.Item) : undefined;
  }

  async find(name: string): Promise<Repository> {
    const repo = await this.get(name);
    if (!repo) throw new NotFoundError(`repository ${name} is not in the index`);
    return repo;
  }

  async list(opts: { limit: number; cursor?: string }): Promise<Page<Repository>> {
    const out = await this.db.send(
      new ScanCommand({ TableName: this.table, Limit: opts.limit, ExclusiveStartKey: decodeCursor(opts.cursor, RepositoryKey) }),
    );
    const items = (out.Items ?? []).map((i) => RepositorySchema.parse(i)).sort((a, b) => a.name.localeCompare(b.name));
    return { items, cursor: encodeCursor(out.LastEvaluatedKey) };
  }

  async remove(name: string): Promise<void> {
    try {
      await this.db.send(
        new DeleteCommand({ TableName: this.table, Key: key(name), ConditionExpression: 'attribute_exists(#n)', ExpressionAttributeNames: { '#n': 'name' } }),
      );
    } catch (err) {
      if (isConditionFailed(err)) throw new NotFoundError(`repository ${name} is not in the index`);
      throw err;
    }
  }

  /** The index holds keys only: the repositories are read whole after. */
  async listByInstallation(installationId: number): Promise<Repository[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: 'by-installation',
          KeyConditionExpression: 'installationId = :i',
          ExpressionAttributeValues: { ':i': installationId },
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return (await batchGetInOrder(this.db, this.table, items, ['name'])).map((i) => RepositorySchema.parse(i));
  }

  /** Opts a repository in to (or out of) Slack messages; NotFoundError when it is not in the index. */
  async setSlack(name: string, slack: boolean): Promise<Repository> {
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key(name),
          UpdateExpression: 'SET slack = :s, updatedAt = :u',
          ConditionExpression: 'attribute_exists(#n)',
          ExpressionAttributeNames: { '#n': 'name' },
          ExpressionAttributeValues: { ':s': slack, ':u': nowIso() },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return RepositorySchema.parse(out.Attributes);
    } catch (err) {
      if (isConditionFailed(err)) throw new NotFoundError(`repository ${name} is not in the index`);
      throw err;
    }
  }

  async setActive(name: string, active: boolean): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key(name),
          UpdateExpression: 'SET active = :a, updatedAt = :u',
          ConditionExpression: 'attribute_exists(#n)',
          ExpressionAttributeNames: { '#n': 'name' },
          ExpressionAttributeValues: { ':a': active, ':u': nowIso() },
        }),
      );
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
    }
  }
}
