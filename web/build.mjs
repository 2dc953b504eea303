// Builds the Cockpit/Tasklist bundle into the Python package (src/cadenza/web/static), where
// `cadenza run` serves it. Run by `npm run build` (setup.py and scripts/test call it).
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const outdir = resolve(here, '..', 'src', 'cadenza', 'web', 'static');
const watch = process.argv.includes('--watch');

const options = {
  entryPoints: { app: resolve(here, 'src/main.js'), styles: resolve(here, 'src/styles.css') },
  outdir,
  bundle: true,
  format: 'esm',
  target: ['chrome110', 'firefox110', 'safari16'],
  minify: !watch,
  sourcemap: true,
  legalComments: 'linked',
  logLevel: 'info',
};

await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });
await copyFile(resolve(here, 'src/index.html'), resolve(outdir, 'index.html'));
if (watch) {
  const context = await esbuild.context(options);
  await context.watch();
} else {
  await esbuild.build(options);
}
