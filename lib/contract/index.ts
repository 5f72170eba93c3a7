// The contract between the control plane (app/) and the runners (runner/): both import only this.
export * from './pools.ts';
export * from './build-spec.ts';
export * from './repo-name.ts';
export * from './packages.ts';
export * from './records.ts';
export * from './messages.ts';
export * from './analysis.ts';
export * from './opam-repo.ts';
export * from './heartbeat.ts';
export * from './runner-api.ts';
export * from './job-report.ts';
