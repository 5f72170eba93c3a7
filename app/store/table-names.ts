import { TABLES, tableName, type TableKey } from '../../lib/resources/index.ts';

export type TableNames = Record<TableKey, string>;

export function tableNames(prefix: string): TableNames {
  return Object.fromEntries(TABLES.map((t) => [t.key, tableName(prefix, t.key)])) as TableNames;
}
