#!/usr/bin/env node
// The benchmark is TypeScript run through tsx, like the CLI (bin/activation.js); see bench/run-bench.ts.
import { register } from 'tsx/esm/api';

register();
await import('../bench/run-bench.ts');
