import type Docker from 'dockerode';
import type { Pool } from '../../lib/contract/index.ts';
import type { BaseImage } from './base-image.ts';
import type { ResourceLimits, StepConfig } from './container-config.ts';

/** What a run or copy step needs to know to execute (rather than to be looked up). */
export interface StepContext {
  docker: Docker;
  pool: Pool;
  platform: string;
  jobId: string;
  /** Labels on the step's container (the runner's id). */
  labels?: Record<string, string>;
  index: number;
  base: BaseImage;
  /** The image the step starts from: the base image or the previous step's result. */
  parentImage: string;
  parentKey: string;
  key: string;
  config: StepConfig;
  /** Who owns copied files and fresh cache volumes. */
  owner: { uid: number; gid: number };
  limits: ResourceLimits;
  cachePrefix: string;
  signal: AbortSignal;
  /** Tag the result as the cache entry for `key`. */
  tag: boolean;
  /** Commit the result at all (false for the last step when nothing is cached). */
  commit: boolean;
  output: (text: string) => void;
  /** Work left to finish before the job returns (container removal), so the next step need not wait. */
  defer: (cleanup: Promise<unknown>) => void;
}

export type StepOutcome =
  /** `imageId` absent: nothing committed (not asked to, or the step changed no file). */
  | { kind: 'ok'; imageId?: string; unchanged?: boolean }
  | { kind: 'failed'; exitCode?: number; message: string; oomKilled?: boolean }
  | { kind: 'aborted' };
