// osls plugin: bundles the Lambda handlers (bundle-lambda.ts) before osls packages or deploys,
// so `osls package` and `osls deploy` never ship a stale or missing dist/lambda.zip.
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- osls loads this file with require() */
const { execFileSync } = require('node:child_process');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../..');

class CidBundlePlugin {
  constructor(serverless, options, { log }) {
    const bundle = () => {
      if (process.env.CID_SKIP_BUNDLE === '1') return log.notice('CID_SKIP_BUNDLE=1: using the existing dist/lambda.zip');
      const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'bundle-lambda.ts')], {
        cwd: ROOT,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      log.notice(out.trim());
    };
    this.hooks = {
      'before:package:createDeploymentArtifacts': bundle,
      'before:deploy:function:packageFunction': bundle,
    };
  }
}

module.exports = CidBundlePlugin;
