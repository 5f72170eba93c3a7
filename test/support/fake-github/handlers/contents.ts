// Repository contents from setRepoFiles: file/directory contents, git trees, commits and tarballs.
import { randomBytes } from 'node:crypto';
import { GitHubHttpError, notFound } from '../errors.ts';
import type { GitEntry, RepoSnapshot } from '../repo-snapshot.ts';
import { findTree } from '../repo-snapshot.ts';
import { gitCommit } from '../shapes.ts';
import type { ShapeContext } from '../shapes.ts';
import type { FakeRepo } from '../state.ts';
import { createTarball } from '../tarball.ts';
import type { FakeWorld } from '../world.ts';
import type { HandlerResult, HandlerTable, RepoHandlerContext } from './types.ts';

const CONTENTS_READ = { permissions: ['contents'], level: 'read' } as const;
const DOWNLOAD_TTL_MS = 5 * 60_000;

function snapshotAt(world: FakeWorld, repo: FakeRepo, ref: string | undefined): RepoSnapshot {
  const sha = world.resolveRef(repo, ref);
  const snapshot = sha === undefined ? undefined : repo.snapshots.get(sha);
  if (!snapshot) throw new GitHubHttpError(404, ref ? `No commit found for the ref ${ref}` : 'This repository is empty.');
  return snapshot;
}

function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

function contentEntry(ctx: RepoHandlerContext, e: GitEntry, refLabel: string) {
  const { shapes, repo, origin } = ctx;
  const api = `${shapes.apiBase}/repos/${repo.fullName}`;
  const self = `${api}/contents/${encodePath(e.path)}?ref=${encodeURIComponent(refLabel)}`;
  const git = `${api}/git/${e.type === 'blob' ? 'blobs' : 'trees'}/${e.sha}`;
  const html = `${shapes.htmlBase}/${repo.fullName}/${e.type === 'blob' ? 'blob' : 'tree'}/${refLabel}/${encodePath(e.path)}`;
  return {
    type: e.type === 'blob' ? 'file' : 'dir',
    size: e.type === 'blob' ? e.content.length : 0,
    name: e.path.slice(e.path.lastIndexOf('/') + 1),
    path: e.path,
    sha: e.sha,
    url: self,
    git_url: git,
    html_url: html,
    download_url: e.type === 'blob' ? `${origin}/_raw/${repo.fullName}/${encodeURIComponent(refLabel)}/${encodePath(e.path)}` : null,
    _links: { self, git, html },
  };
}

function treeItem(shapes: ShapeContext, repo: FakeRepo, e: GitEntry, base: string) {
  const path = base === '' ? e.path : e.path.slice(base.length + 1);
  const api = `${shapes.apiBase}/repos/${repo.fullName}/git`;
  return e.type === 'blob'
    ? { path, mode: e.mode, type: 'blob', sha: e.sha, size: e.content.length, url: `${api}/blobs/${e.sha}` }
    : { path, mode: e.mode, type: 'tree', sha: e.sha, url: `${api}/trees/${e.sha}` };
}

function wantsRaw(ctx: RepoHandlerContext): boolean {
  return /application\/vnd\.github(\.v3)?\.raw/.test(String(ctx.headers.accept ?? ''));
}

export const contentHandlers: HandlerTable = {
  'repos/get-content': {
    auth: 'repo',
    need: CONTENTS_READ,
    handle: (ctx): HandlerResult => {
      const ref = ctx.query.get('ref') ?? undefined;
      const snapshot = snapshotAt(ctx.world, ctx.repo, ref);
      const refLabel = ref ?? ctx.repo.defaultBranch;
      const path = (ctx.params.path ?? '').replace(/^\/+|\/+$/g, '');
      if (path !== '' && !snapshot.entries.has(path)) throw notFound();
      const entry = snapshot.entries.get(path);
      if (entry?.type === 'blob') {
        if (wantsRaw(ctx)) return { status: 200, raw: { data: entry.content, contentType: 'application/vnd.github.raw' } };
        return {
          status: 200,
          body: {
            ...contentEntry(ctx, entry, refLabel),
            // GitHub wraps the base64 at 60 columns.
            content: `${entry.content.toString('base64').replace(/.{60}/g, '$&\n')}\n`,
            encoding: 'base64',
          },
        };
      }
      const children = snapshot.children.get(path) ?? [];
      return {
        status: 200,
        body: children.flatMap((p) => {
          const e = snapshot.entries.get(p);
          return e ? [contentEntry(ctx, e, refLabel)] : [];
        }),
      };
    },
  },

  'git/get-tree': {
    auth: 'repo',
    need: CONTENTS_READ,
    handle: (ctx) => {
      const wanted = ctx.params.tree_sha ?? '';
      let snapshot: RepoSnapshot | undefined;
      let dir: string | undefined;
      const commit = ctx.world.resolveRef(ctx.repo, wanted);
      if (commit !== undefined && ctx.repo.snapshots.has(commit)) {
        snapshot = ctx.repo.snapshots.get(commit);
        dir = '';
      } else {
        for (const s of ctx.repo.snapshots.values()) {
          dir = findTree(s, wanted);
          if (dir !== undefined) {
            snapshot = s;
            break;
          }
        }
      }
      if (!snapshot || dir === undefined) throw notFound();
      const base = dir;
      // GitHub recurses for any value of `recursive`; only its absence means one level.
      const recursive = ctx.query.has('recursive');
      const entries = recursive
        ? [...snapshot.entries.values()].filter((e) => base === '' || e.path.startsWith(`${base}/`))
        : (snapshot.children.get(base) ?? []).map((p) => snapshot.entries.get(p)).filter((e) => e !== undefined);
      const sha = base === '' ? snapshot.treeSha : (snapshot.entries.get(base)?.sha ?? '');
      return {
        status: 200,
        body: {
          sha,
          url: `${ctx.shapes.apiBase}/repos/${ctx.repo.fullName}/git/trees/${sha}`,
          tree: entries.map((e) => treeItem(ctx.shapes, ctx.repo, e, base)),
          truncated: false,
        },
      };
    },
  },

  'git/get-commit': {
    auth: 'repo',
    need: CONTENTS_READ,
    handle: (ctx) => {
      // Only a full SHA of a commit set with setRepoFiles; GitHub resolves no branch names here.
      const snapshot = ctx.repo.snapshots.get(ctx.params.commit_sha ?? '');
      if (!snapshot) throw notFound();
      return { status: 200, body: gitCommit(ctx.shapes, ctx.repo, snapshot) };
    },
  },

  'repos/download-tarball-archive': {
    auth: 'repo',
    need: CONTENTS_READ,
    handle: (ctx) => {
      const ref = ctx.params.ref || undefined;
      const snapshot = snapshotAt(ctx.world, ctx.repo, ref);
      const ticket = randomBytes(16).toString('hex');
      ctx.world.downloadTickets.set(ticket, {
        repo: ctx.repo.fullName,
        sha: snapshot.commitSha,
        expiresAt: ctx.world.options.now() + DOWNLOAD_TTL_MS,
      });
      // Like GitHub: a redirect to codeload, authorised by a token in the query string.
      const location = `${ctx.origin}/_codeload/${ctx.repo.fullName}/legacy.tar.gz/${snapshot.commitSha}?token=${ticket}`;
      return { status: 302, headers: { location } };
    },
  },
};

/** Serves a codeload download URL handed out by download-tarball-archive. */
export function serveCodeload(world: FakeWorld, path: string, query: URLSearchParams): HandlerResult {
  const m = /^\/_codeload\/([^/]+)\/([^/]+)\/legacy\.tar\.gz\/([0-9a-f]{40})$/.exec(path);
  const ticket = world.downloadTickets.get(query.get('token') ?? '');
  if (!m || !ticket || ticket.expiresAt <= world.options.now()) throw notFound();
  const repo = world.findRepo(`${m[1]}/${m[2]}`);
  if (!repo || repo.fullName !== ticket.repo || m[3] !== ticket.sha) throw notFound();
  const snapshot = repo.snapshots.get(ticket.sha);
  if (!snapshot) throw notFound();
  const topDir = `${repo.owner.login}-${repo.name}-${snapshot.commitSha.slice(0, 7)}`;
  return {
    status: 200,
    raw: { data: createTarball(snapshot, { topDir, mtime: Date.parse(repo.createdAt) / 1000 }), contentType: 'application/x-gzip' },
    headers: { 'content-disposition': `attachment; filename=${topDir}.tar.gz` },
  };
}

/** Serves a download_url from get-content (raw.githubusercontent.com on GitHub). */
export function serveRaw(world: FakeWorld, path: string): HandlerResult {
  const m = /^\/_raw\/([^/]+)\/([^/]+)\/([^/]+)\/(.+)$/.exec(path);
  if (!m) throw notFound();
  const repo = world.findRepo(`${m[1]}/${m[2]}`);
  const sha = repo && world.resolveRef(repo, decodeURIComponent(m[3] as string));
  const entry = sha === undefined ? undefined : repo?.snapshots.get(sha)?.entries.get(decodeURIComponent(m[4] as string));
  if (entry?.type !== 'blob') throw notFound();
  return { status: 200, raw: { data: entry.content, contentType: 'text/plain; charset=utf-8' } };
}
