// Fake GitHub for tests: a REST server checked against GitHub's OpenAPI schemas.
export { startFakeGitHub, FakeGitHub, DEFAULT_PERMISSIONS } from './server.ts';
export type { FakeGitHubOptions } from './server.ts';
export { generateAppCredentials, signAppJwt, testAppCredentials, verifyAppJwt } from './app-credentials.ts';
export type { AppCredentials } from './app-credentials.ts';
export type { FaultSpec } from './faults.ts';
export type { InstallationSetup, PullRequestSetup, RepoSetup, SnapshotSetup, TokenRequest, UserSetup } from './world.ts';
export type { CommitInfo, FileSpec, RepoFiles, RepoSnapshot } from './repo-snapshot.ts';
export { validateRequestBody, validateResponseBody } from './schema-validator.ts';
export type { SchemaIssue, ValidationResult } from './schema-validator.ts';
export { loadOperationsFixture } from './openapi-fixture.ts';
export type * from './state.ts';
export { callApi } from './http-client.ts';
export type { ApiCallOptions, ApiResponse } from './http-client.ts';
export { FastProbotOctokit } from './fast-octokit.ts';
