#!/usr/bin/env node
// The `cid` command: registers tsx so Node can run the TypeScript sources, then starts the CLI.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
