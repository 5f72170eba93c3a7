import type { VariableEnv, VariableValue } from '../variables.ts';
import type { Release } from './universe.ts';

/** The dependency flags a filter is evaluated with; they differ between a solve and `opam list`. */
export interface ReleaseFlags {
  post: boolean;
  withTest: boolean;
  withDoc: boolean;
  pinned: boolean;
}

/**
 * The variables of a release's filters: its own name and version, the flags, then the platform's.
 * `build` is always true (build dependencies count); `with-dev-setup` is never set by cid.
 */
export function releaseEnv(r: Release, flags: ReleaseFlags, vars: Record<string, VariableValue | undefined>): VariableEnv {
  return (v: string): VariableValue => {
    switch (v) {
      case 'name':
      case '_:name':
        return r.name;
      case 'version':
      case '_:version':
        return r.version;
      case 'build':
        return true;
      case 'post':
        return flags.post;
      case 'with-test':
        return flags.withTest;
      case 'with-doc':
        return flags.withDoc;
      case 'with-dev-setup':
        return false;
      case 'dev':
        return r.dev;
      case 'pinned':
        return flags.pinned;
      default:
        return vars[v];
    }
  };
}
