// End to end: an opam-repository PR from a signed pull_request webhook → (analysis) on a real
// runner (merge into the base, classify, lint, revdeps) → jobs queued (revdeps on the bulk
// queues) → run by the runner → commit statuses, one PR comment edited in place, a Slack message.
// The repository is a git repository of snapshot releases; the runner fetches it over git
// (file:// standing in for GitHub's HTTPS). ocaml/opam images cannot be pulled here, so every
// build ends `errored` with the image-unavailable message: what is checked is the planning,
// the queueing and the reporting.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../support/github-harness.ts';
import { TEST_ADMIN_TOKEN, until } from '../support/control-plane.ts';
import { ensureDocker } from '../support/images.ts';
import { RUNNER_CP_ENV, logText, testRunner } from '../support/runner-harness.ts';
import { makePullRequestPayload } from '../support/webhooks.ts';
import { ensureOpamSnapshot } from '../support/opam-snapshot.ts';
import { opamGitRepo, type OpamGitRepo } from '../support/opam-git-repo.ts';
import { startSlackReceiver, type SlackReceiver } from '../support/slack-receiver.ts';
import { readTree } from '../lib/opam-repo/support.ts';
import { AnalysisResultSchema, pipelineId } from '../../lib/contract/index.ts';
import { COMMENT_MARKER } from '../../app/opam-repo-pr/report/index.ts';

const REPO = 'ocaml/opam-repository';
const INST = 4040;
const PR = 42;

let h: Harness | undefined;
let slack: SlackReceiver | undefined;
let repo: OpamGitRepo;
let skip: string | false = false;
let base = '';
let head = '';

before(async () => {
  skip = (await ensureDocker()).skip;
  const snap = await ensureOpamSnapshot();
  if (!snap.ok) {
    if (process.env.CI === 'true') throw new Error(snap.reason);
    skip = snap.reason;
  }
  if (skip || !snap.ok) return;
  repo = opamGitRepo(snap.dir, ['fmt.0.9.0', 'astring.0.8.5', 'cmdliner.1.3.0', 'alcotest.1.7.0', 'logs.0.7.0']);
  repo.serveAnySha();
  const fork = repo.commit('base');
  repo.branch('pr', fork);
  repo.copy('fmt.0.10.0');
  repo.write(
    'packages/frobnicate/frobnicate.1.0/opam',
    'opam-version: "2.0"\nsynopsis: "Frobnicates"\nmaintainer: "jane@example.org"\nauthors: "Jane"\nhomepage: "https://example.org/f"\nbug-reports: "https://example.org/f/issues"\ndev-repo: "git+https://example.org/f.git"\nlicense: "MIT"\ndepends: ["ocaml" "fmt"]\nbuild: ["dune" "build" "-p" name]\nurl { src: "https://example.org/f.tbz" checksum: "md5=00000000000000000000000000000000" }\n',
  );
  head = repo.commit('fmt 0.10.0 and a new package');
  repo.git('checkout', '-q', 'master');
  repo.copy('fmt.0.8.8');
  base = repo.commit('master moves on');

  slack = await startSlackReceiver();
  h = await startHarness({ CID_PUBLIC_URL: 'https://cid.example.org', ...RUNNER_CP_ENV, CID_PLATFORMS: 'minimal', CID_SLACK_WEBHOOK_URL: slack.url });
  h.fake.addInstallation({ id: INST, account: 'ocaml', repositories: [REPO] });
  // The (analysis) job downloads the head as GitHub's tarball, as for any repository.
  repo.git('checkout', '-q', head);
  h.fake.setRepoFiles(REPO, head, Object.fromEntries([...readTree(repo.path)].filter(([p]) => !p.startsWith('.git/'))));
  repo.git('checkout', '-q', 'master');
});

after(async () => {
  await h?.stop();
  await slack?.close();
});

test('an opam-repository PR: analysis, jobs, revdeps in bulk, statuses, one comment, Slack', { timeout: 300_000 }, async (t) => {
  if (skip || !h || !slack) return t.skip(skip || 'no harness');
  const { cp, fake } = h;
  // Slack opt-in through the admin API, before GitHub's events refresh the record.
  const added = await fetch(`${cp.url}/api/admin/repositories`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: REPO, slack: true, installationId: INST, defaultBranch: 'master' }),
  });
  assert.equal(added.status, 201);

  const runner = await testRunner(cp, 'linux-x86_64', { env: { CID_RUNNER_CONCURRENCY: '4' } });
  try {
    const payload = makePullRequestPayload({ number: PR, headSha: head, headRef: 'pr', baseRepo: REPO, baseRef: 'master', baseSha: base, installationId: INST, headRepo: 'someone/opam-repository' });
    // GitHub's git endpoint, played by the repository on disk.
    (payload.repository as { clone_url: string }).clone_url = `file://${repo.path}`;
    const r = await h.deliver('pull_request', payload);
    assert.equal(r.result?.action, 'pipeline', JSON.stringify(r));
    const pid = pipelineId(REPO, head);

    const analysisJob = await until(async () => (await cp.svc.store.jobs.listByPipeline(pid)).find((j) => j.name === '(analysis)' && j.status !== 'queued' && j.status !== 'running'), {
      timeoutMs: 120_000,
      what: 'the analysis',
    });
    assert.equal(analysisJob.status, 'passed', `${analysisJob.reason}\n${await logText(cp, analysisJob)}`);
    assert.equal(analysisJob.source.baseSha, base);
    const out = AnalysisResultSchema.parse(analysisJob.output).opamRepo;
    assert.deepEqual(out?.packages, [
      { pkg: 'fmt.0.10.0', change: 'new-release', hasTests: false },
      { pkg: 'frobnicate.1.0', change: 'new-package', hasTests: false },
    ]);
    assert.ok(out?.lint.some((l) => l.message.startsWith('Error in frobnicate.1.0: Weak checksum algorithm(s) provided')));

    const pipeline = await until(
      async () => {
        const p = await cp.svc.store.pipelines.get(pid);
        return p && ['passed', 'failed', 'errored', 'cancelled'].includes(p.status) && p;
      },
      { timeoutMs: 240_000, what: 'the pipeline to finish' },
    );
    const jobs = (await cp.svc.store.jobs.listByPipeline(pid)).filter((j) => j.kind === 'opam-repo');
    const names = jobs.map((j) => j.name).sort();
    assert.deepEqual(names, [
      'compilers,4.14,fmt.0.10.0',
      'compilers,4.14,fmt.0.10.0,lower-bounds',
      'compilers,4.14,fmt.0.10.0,revdeps,alcotest.1.7.0',
      'compilers,4.14,fmt.0.10.0,revdeps,logs.0.7.0',
      'compilers,4.14,frobnicate.1.0',
      'compilers,4.14,frobnicate.1.0,lower-bounds',
      'compilers,5.5,fmt.0.10.0',
      'compilers,5.5,fmt.0.10.0,revdeps,alcotest.1.7.0',
      'compilers,5.5,fmt.0.10.0,revdeps,logs.0.7.0',
      'compilers,5.5,frobnicate.1.0',
    ]);
    for (const j of jobs) assert.equal(j.priority, j.name.includes(',revdeps,') ? 'bulk' : 'urgent', j.name);
    // Every build ran on the runner, from the merged tree, and stopped at the image.
    for (const j of jobs) {
      assert.equal(j.status, 'errored', j.name);
      assert.match(j.reason ?? '', /ocaml\/opam:debian-13-ocaml-(5\.5|4\.14)/, j.name);
    }
    assert.equal(pipeline.status, 'errored');

    // Statuses, in opam-repo-ci's words.
    const statuses = (context: string) => fake.state.statuses.filter((s) => s.sha === head && s.context === context).map((s) => `${s.state}: ${s.description}`);
    await until(async () => statuses('opam-ci').some((s) => s.startsWith('failure')), { timeoutMs: 30_000, what: 'the final opam-ci status' });
    assert.equal(statuses('opam-ci').at(-1), 'failure: Failed - 10 jobs failed, 0 jobs skipped, 0 jobs passed');
    assert.equal(statuses('opam-ci')[0], 'pending: Analysing the changes');
    assert.equal(new Set(statuses('opam-ci')).size, statuses('opam-ci').length, 'each status set once');
    assert.equal(statuses('opam-repo-ci (linter)').at(-1), 'failure: Failed - 1 error');
    const target = fake.state.statuses.find((s) => s.sha === head)?.target_url;
    assert.equal(target, `https://cid.example.org/github/${REPO}/commit/${head}`);

    // One comment, edited in place until it shows the end.
    const comment = await until(
      async () => {
        const cs = fake.state.comments.filter((c) => c.issue_number === PR);
        return cs.length === 1 && cs[0]?.body.includes('## opam-repo-ci: ❌ failed') && cs[0];
      },
      { timeoutMs: 40_000, what: 'the final comment' },
    );
    assert.equal(fake.state.comments.filter((c) => c.issue_number === PR).length, 1);
    assert.ok(comment.history.length >= 2, 'edited in place');
    assert.ok(comment.body.startsWith(COMMENT_MARKER));
    assert.ok(comment.body.includes('| fmt.0.10.0 | new release |'));
    assert.ok(comment.body.includes(`| compilers,5.5 | [❌](https://cid.example.org/github/${REPO}/commit/${head}/variant/compilers%2C5.5%2Cfmt.0.10.0)`), comment.body);
    assert.ok(comment.body.includes('| fmt.0.10.0 | 2 | 2 | 0 | 4 | 0 |'), comment.body);
    assert.ok(comment.body.includes('Error in frobnicate.1.0: Weak checksum algorithm(s) provided.'));
    assert.match(comment.body, /### To reproduce \[`compilers,\d\.\d+,(fmt\.0\.10\.0|frobnicate\.1\.0)`\]/);
    assert.ok(comment.body.includes(`merge --no-edit ${head}`));

    // Slack heard of the finished PR once.
    const msg = await until(async () => slack?.delivered().find((m) => /opam-repository#42/.test(String(m.text))), { timeoutMs: 20_000, what: 'the Slack message' });
    assert.match(String(msg.text), /^❌ ocaml\/opam-repository#42: Failed - 10 jobs failed/);
    assert.equal(slack.delivered().filter((m) => /#42/.test(String(m.text))).length, 1);

    assert.ok(!fake.state.checkRuns.some((c) => c.name.includes(',')), 'no check run per opam-repository job');
    assert.deepEqual(fake.state.invalidRequests, []);
  } finally {
    await runner.stop(0);
  }
});
