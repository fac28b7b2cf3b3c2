#!/usr/bin/env node
// The CLI is TypeScript run without a build step: tsx compiles each module as it is imported.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
