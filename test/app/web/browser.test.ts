import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startHarness, type Harness } from '../../support/github-harness.ts';
import { testAppCredentials } from '../../support/fake-github/index.ts';
import { oauthClientSecret } from '../../support/fake-github/handlers/oauth.ts';
import { appendLog, logLine, seedCommit, settled } from './support.ts';

// The pages in a real browser: screenshots of the commit and job pages, the live log growing
// while a job runs, line-range highlighting, and sign-in plus a rebuild through the forms.
const CHROMIUM = process.env.CID_CHROMIUM ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
// In CI a missing browser is a failure, not a skip.
const skip = !available && process.env.CI !== 'true' ? `no browser at ${CHROMIUM} (apt-get install -y chromium)` : false;

const SHOTS = process.env.CID_SCREENSHOT_DIR ?? mkdtempSync(join(tmpdir(), 'cid-web-shots-'));
const app = testAppCredentials();
const INST = 1212;
const REPO = 'browser/alpha';
let h: Harness;
let browser: Browser;
let base = '';
let main: Awaited<ReturnType<typeof seedCommit>>;

const VARIANTS = [
  ['debian-12-5.3_opam-2.3', 'passed'],
  ['debian-12-5.2_opam-2.3', 'passed'],
  ['debian-12-4.14_opam-2.3', 'failed'],
  ['debian-12-5.3_arm64_opam-2.3', 'running'],
  ['fedora-42-5.3_opam-2.3', 'passed'],
  ['ubuntu-24.04-5.3_opam-2.3', 'queued'],
  ['alpine-3.21-5.3_opam-2.3', 'cancelled'],
  ['(lint-fmt)', 'passed'],
  ['(lint-doc)', 'failed'],
] as const;

const colourLog = [
  logLine('\x1b[1mProcessing  1/3: [ocaml-base-compiler: make]\x1b[0m'),
  logLine('\x1b[32m-> installed\x1b[0m dune.3.17.0'),
  logLine('\x1b[33m[WARNING]\x1b[0m opam is out-of-date'),
  logLine('File "lib/alpha.ml", line 12, characters 4-9:'),
  logLine('\x1b[1;31mError\x1b[0m: Unbound value <frobnicate>'),
  logLine('\x1b[38;5;208morange 256-colour\x1b[0m and \x1b[38;2;120;80;255mtrue colour\x1b[0m'),
  ...Array.from({ length: 30 }, (_, i) => logLine(`make[${i}]: Entering directory '/src/_build/default/lib'`)),
];

before(async () => {
  if (skip) return;
  assert.ok(available, `CI=true needs a browser at ${CHROMIUM}`);
  h = await startHarness({ CID_SESSION_SECRET: 'z'.repeat(40), GITHUB_CLIENT_ID: app.clientId, GITHUB_CLIENT_SECRET: oauthClientSecret(app) });
  h.fake.addInstallation({ id: INST, account: 'browser', repositories: [REPO] });
  h.fake.addUser({ login: 'maintainer', token: 'gho_maintainer00000000000000000000000', permissions: { [REPO]: 'write' } });
  main = await seedCommit(h, {
    repo: REPO,
    installationId: INST,
    jobs: VARIANTS.map(([name, status]) => ({
      name,
      status,
      ...(status === 'failed' ? { reason: 'exit status 1: dune build @install @runtest' } : {}),
      ...(status === 'cancelled' ? { reason: 'cancelled by maintainer' } : {}),
      log: colourLog,
    })),
    dropped: [
      { variant: 'macos-homebrew-5.3_opam-2.3', reason: 'no runner for macos-x86_64' },
      { variant: 'debian-12-4.08_opam-2.3', reason: 'ocaml >= 4.14 required' },
    ],
  });
  await settled(h.cp, main.pipelineId, 'running');
  base = h.cp.config.publicUrl;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});
after(async () => {
  await browser?.close();
  await h?.stop();
});

async function newPage(): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  return ctx.newPage();
}

function assertPng(path: string): void {
  const bytes = readFileSync(path);
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG signature');
  assert.ok(statSync(path).size > 10_000, `${path} is a real picture`);
}

test('the commit page: every job with its state, and a screenshot', { skip }, async (t) => {
  const page = await newPage();
  await page.goto(`${base}/github/${REPO}/commit/${main.sha}`);
  assert.equal(await page.locator('tbody tr').count(), VARIANTS.length + 1 + 2);
  assert.equal(await page.locator('.st-failed').count(), 2);
  const failedColour = await page.locator('.st-failed').first().evaluate((el) => getComputedStyle(el).color);
  assert.equal(failedColour, 'rgb(207, 34, 46)');
  const path = join(SHOTS, 'commit-page.png');
  await page.screenshot({ path, fullPage: true });
  assertPng(path);
  t.diagnostic(`screenshot: ${path}`);
  await page.context().close();
});

test('the job page: coloured log with times, a screenshot, and the log growing while the job runs', { skip }, async (t) => {
  const job = main.jobs.get('debian-12-5.3_arm64_opam-2.3');
  assert.ok(job);
  const page = await newPage();
  await page.goto(`${base}/github/${REPO}/commit/${main.sha}/variant/${job.name}`);
  await page.waitForSelector(`#L${colourLog.length}`);
  assert.equal(await page.locator('#L5 .a-b.a-f1').innerText(), 'Error');
  assert.equal(await page.locator('#L5 .a-f1').evaluate((el) => getComputedStyle(el).color), 'rgb(224, 68, 62)');
  assert.match(await page.locator('#L5').innerText(), /Unbound value <frobnicate>/);
  assert.match(await page.locator('#L1 time').innerText(), /^\d\d:\d\d\.\d\d$/);
  const path = join(SHOTS, 'job-page.png');
  await page.screenshot({ path, fullPage: true });
  assertPng(path);
  t.diagnostic(`screenshot: ${path}`);

  // The runner writes more while the page is open: the page shows it without a reload.
  const seq = await appendLog(h.cp, job, [logLine('\x1b[36mlive line one\x1b[0m')], 1);
  await page.waitForSelector(`#L${colourLog.length + 1}`, { timeout: 15_000 });
  assert.equal(await page.locator(`#L${colourLog.length + 1} .a-f6`).innerText(), 'live line one');
  await appendLog(h.cp, job, Array.from({ length: 20 }, (_, i) => logLine(`live batch ${i}`)), seq, 10);
  await page.waitForSelector(`#L${colourLog.length + 21}`, { timeout: 15_000 });
  assert.equal(await page.locator('.log .l').count(), colourLog.length + 21, 'each line once');
  await h.cp.svc.store.jobs.finish(job.id, 'test-runner', { status: 'passed' });
  await page.waitForSelector('#job-state .st-passed', { timeout: 15_000 });
  const shot2 = join(SHOTS, 'job-page-after-live.png');
  await page.screenshot({ path: shot2, fullPage: false });
  assertPng(shot2);
  await page.context().close();
});

test('line ranges from the URL fragment are highlighted; clicking line numbers sets them', { skip }, async () => {
  const page = await newPage();
  const url = `${base}/github/${REPO}/commit/${main.sha}/variant/debian-12-5.3_opam-2.3`;
  await page.goto(`${url}#L3-L5`);
  await page.waitForSelector('#L5.hl');
  const marked = await page.locator('.l.hl').evaluateAll((els) => els.map((e) => e.id));
  assert.deepEqual(marked, ['L3', 'L4', 'L5']);
  await page.locator('#L7 > a').click();
  assert.equal(new URL(page.url()).hash, '#L7');
  await page.locator('#L10 > a').click({ modifiers: ['Shift'] });
  assert.equal(new URL(page.url()).hash, '#L7-L10');
  assert.deepEqual(await page.locator('.l.hl').evaluateAll((els) => els.map((e) => e.id)), ['L7', 'L8', 'L9', 'L10']);
  const selected = await page.evaluate(() => {
    const r = document.createRange();
    r.selectNodeContents(document.getElementById('L4') as HTMLElement);
    const s = getSelection() as Selection;
    s.removeAllRanges();
    s.addRange(r);
    return s.toString();
  });
  // Neither the line number nor the time is part of copied text.
  assert.equal(selected, 'File "lib/alpha.ml", line 12, characters 4-9:');
  await page.context().close();
});

test('signing in through GitHub and rebuilding a failed job from its page', { skip }, async () => {
  const page = await newPage();
  const jobUrl = `${base}/github/${REPO}/commit/${main.sha}/variant/debian-12-4.14_opam-2.3`;
  await page.goto(jobUrl);
  assert.equal(await page.locator('button', { hasText: 'Rebuild' }).count(), 0);
  await page.locator('a', { hasText: 'Sign in with GitHub' }).click();
  await page.waitForURL(jobUrl);
  assert.match(await page.locator('header .who').innerText(), /maintainer/);
  await page.locator('button', { hasText: 'Rebuild' }).click();
  await page.waitForURL(jobUrl);
  await page.waitForSelector('#job-state .st-queued');
  const job = await h.cp.svc.store.jobs.get(main.jobs.get('debian-12-4.14_opam-2.3')?.id ?? '');
  assert.equal(job?.status, 'queued');
  assert.equal(job?.generation, 2);
  await page.context().close();
});
