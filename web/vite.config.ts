// Builds the browser client (web/) into dist/web/, which the Parlor server serves.
import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';
import { precompress } from './precompress.ts';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: './',
  plugins: [preact(), precompress()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    // The web port's Content-Security-Policy allows only files from the server itself: no asset
    // is inlined as a data: URI (index.html already carries no inline script or style).
    assetsInlineLimit: 0,
  },
  server: {
    // `npx vite --config web/vite.config.ts` during development: /irc goes to a running server.
    proxy: { '/irc': { target: 'ws://127.0.0.1:8080', ws: true } },
  },
});
