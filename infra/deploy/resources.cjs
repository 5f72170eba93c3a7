// osls resolves `${file(./infra/deploy/resources.cjs):…}` by calling this function. It loads the
// TypeScript definitions through tsx, so tables and queues are defined once, in lib/resources.
// (tsx's CommonJS API: its tsImport fails when called from CommonJS in tsx 4.23.)
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- osls loads this file with require() */
const path = require('node:path');
const tsx = require('tsx/cjs/api');

module.exports = async ({ resolveVariable }) => {
  const stage = await resolveVariable('sls:stage');
  const service = await resolveVariable('self:service');
  const { buildResources } = tsx.require(path.join(__dirname, 'cloudformation.ts'), __filename);
  return buildResources({ stage, service });
};
