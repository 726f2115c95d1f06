#!/usr/bin/env node
// In a checkout, run the TypeScript sources through tsx; an installed package has only dist/.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/main.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  // The project's tsconfig (JSX settings), whatever the working directory.
  register({ tsconfig: new URL('../tsconfig.json', import.meta.url).pathname });
  await import(source.href);
} else {
  await import(new URL('../dist/cli/main.js', import.meta.url).href);
}
