export * from './add-jobs.ts';
export * from './start-pipeline.ts';
export * from './supersede.ts';
export * from './cancel.ts';
export * from './rebuild.ts';
export * from './pipeline-status.ts';
export * from './analysis-params.ts';
export * from './advance.ts';
