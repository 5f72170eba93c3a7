// Matches request paths to the fixture's operations, using GitHub's own path templates.
import type { ExtractedOperation } from './openapi-fixture.ts';
import { loadOperationsFixture } from './openapi-fixture.ts';

interface Route {
  op: ExtractedOperation;
  regex: RegExp;
  names: string[];
}

export interface RouteMatch {
  op: ExtractedOperation;
  /** Decoded path parameters. */
  params: Record<string, string>;
}

let routes: Route[] | undefined;

function compile(op: ExtractedOperation): Route {
  const names: string[] = [];
  const source = op.path.replace(/[.+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_m, name: string) => {
    names.push(name);
    // Multi-segment parameters (file paths, refs) may contain slashes, and be empty.
    return op.multiSegmentParams.includes(name) ? '(.*)' : '([^/]+)';
  });
  return { op, regex: new RegExp(`^${source}$`), names };
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function matchRoute(method: string, path: string): RouteMatch | undefined {
  routes ??= Object.values(loadOperationsFixture().operations).map(compile);
  for (const candidate of [path, `${path}/`]) {
    for (const r of routes) {
      if (r.op.method !== method) continue;
      const m = r.regex.exec(candidate);
      if (!m) continue;
      const params: Record<string, string> = {};
      r.names.forEach((n, i) => (params[n] = decode(m[i + 1] ?? '')));
      return { op: r.op, params };
    }
  }
  return undefined;
}
