/**
 * `exprfit spots IMAGE ...`: find and fit the spots of an image (src/batch/spots.ts; docs/batch.md). Registered
 * in main.ts with `program.addCommand(spotsCommand(io, program))`. The pipeline is imported only when the command runs.
 *
 * Output: the table (CSV) on stdout, or in `--out`; the overlay PNG in `--overlay`; a summary on stderr (and a
 * progress bar there on a terminal when the fits take a while). Exit status 0 (fits that did not converge are
 * reported in the `status` column), 2 for bad input.
 */
import { createRequire } from 'node:module';
import type { Command as CommandType } from 'commander';
import { ExprfitError } from '../syntax/span.ts';
import { nameMap } from '../script/nameMap.ts';
import type { Stream } from './style.ts';

const commander = createRequire(import.meta.url)('commander') as typeof import('commander');

interface SpotsIo {
  readonly stdout: Stream;
  readonly stderr: Stream;
}

const EXAMPLES = `
Examples:
  $ exprfit spots cells.tif --out spots.csv --overlay spots.png
  $ exprfit spots frame.png --model rotated --roi 10 --estimator poisson --threads 4
  $ exprfit spots stars.fits --threshold 8sigma --min-distance 2 --out stars.csv
  $ exprfit spots img.npy --model 'A*exp(-((x-x0)^2+(y-y0)^2)/(2*s^2)) + bg'
  $ exprfit spots img.npy --model 'A*(1+((x-x0)^2+(y-y0)^2)/a^2)^(-beta) + bg' --start beta=2.5 --start a=2

Columns: id, x, y (0-based pixel centres), amplitude, sigma_x, sigma_y, theta, background, x_err, y_err,
amplitude_err, chi2, iterations, status (0 converged, 1 max-iterations, 2 singular, 3 non-finite,
4 too-few-points: fewer valid pixels than parameters).
Spots closer than --group-distance (default 6 sigma) are fitted jointly as a sum of Gaussians with one
background; a spot fitted much wider than the others is tried as two (a blend).`;

interface SpotsFlags {
  model?: string;
  roi?: string;
  minDistance?: string;
  threshold?: string;
  smooth?: string;
  border?: string;
  maxPeaks?: string;
  estimator?: string;
  threads?: string;
  stop?: string;
  joint?: boolean;
  groupDistance?: string;
  sharedWidth?: boolean;
  out?: string;
  overlay?: string;
  key?: string;
  quiet?: boolean;
  start?: string[];
}

/** The flags of the option names (camelCase, as in SpotsOptions) that the pipeline's messages use. */
const FLAG_OF: Readonly<Record<string, string>> = {
  roi: '--roi',
  minDistance: '--min-distance',
  threshold: '--threshold',
  smooth: '--smooth',
  border: '--border',
  maxPeaks: '--max-peaks',
  estimator: '--estimator',
  threads: '--threads',
  stop: '--stop',
  groupDistance: '--group-distance',
  sharedWidth: '--shared-width',
};

/**
 * The error with the option names of the pipeline (`minDistance must be ...`, `start: { beta: ... }`)
 * replaced by the flags the user typed (`--min-distance must be ...`, `--start beta=...`).
 */
export function withFlagNames(err: unknown): unknown {
  if (!(err instanceof ExprfitError) || err.code === 'io') return err;
  const rename = (text: string): string =>
    text
      .replace(/\bstart: \{ (\w+): \.\.\. \}/g, '--start $1=...')
      .replace(/\b(minDistance|maxPeaks|groupDistance|sharedWidth)\b/g, (m) => FLAG_OF[m])
      .replace(
        /^(roi|threshold|smooth|border|estimator|threads|stop) (must|is)\b/,
        (_m, k: string, v: string) => `${FLAG_OF[k]} ${v}`,
      )
      .replace(/^threshold (?=[-+\d.e]*\s*sigma\b)/, '--threshold ')
      .replace(/\bthreshold='5sigma'/g, '--threshold 5sigma')
      .replace(/\bthreshold=(\d+)/g, '--threshold $1');
  const message = rename(err.message);
  const hints = err.hints.map(rename);
  if (message === err.message && hints.every((h, i) => h === err.hints[i])) return err;
  return new ExprfitError(err.code, message, {
    span: err.span,
    source: err.source,
    hints,
    cause: err,
  });
}

/** `--start NAME=VALUE` values (repeatable) as start values by parameter name. */
function parseStarts(items: readonly string[]): Record<string, number> {
  const out = nameMap<number>();
  for (const item of items) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(\S.*?)\s*$/.exec(item);
    const v = m ? Number(m[2]) : NaN;
    if (!m || !Number.isFinite(v)) {
      throw new ExprfitError('usage', `--start takes NAME=VALUE with a finite number, got '${item}'`, {
        hints: ['e.g. --start beta=2.5 (repeat it for more parameters)'],
      });
    }
    if (Object.hasOwn(out, m[1])) {
      throw new ExprfitError('usage', `--start ${m[1]} is given twice`);
    }
    out[m[1]] = v;
  }
  return out;
}

/** The `spots` command (with the parent's output, error and help settings, as `program.command()` would). */
export function spotsCommand(io: SpotsIo, parent?: CommandType): CommandType {
  const cmd = new commander.Command('spots');
  if (parent) cmd.copyInheritedSettings(parent);
  cmd
    .description('find and fit spots (2-D Gaussians) in an image; crowded spots are fitted jointly')
    .argument('<image>', 'the image: .png, .tif, .fits, .npy, .npz, .json, .csv (a 2-D array)')
    .option('--model <model>', 'symmetric (default), elliptical, rotated, or an expression in x and y')
    .option('--roi <n>', 'half-width of the fitted region: (2n+1)^2 pixels, clipped at the edges (default 7)')
    .option('--min-distance <n>', 'peaks are more than n pixels apart (default 1)')
    .option(
      '--threshold <t>',
      'detection threshold: k robust sigmas above the median like 5sigma (k >= 0; default 5sigma), or an absolute value (may be negative)',
    )
    .option('--smooth <s>', 'Gaussian smoothing (pixels) before detection (default 0.5)')
    .option('--border <n>', 'ignore peaks within n pixels of the edge (default 0)')
    .option('--max-peaks <n>', 'at most n spots, the brightest')
    .option('--estimator <e>', 'lse (least squares, default) or poisson (maximum likelihood for counts)')
    .option('--threads <n>', 'worker threads for the fits (default 1)')
    .option('--stop <rule>', 'gpufit (default: relative chi2 change < 1e-4, 20 iterations) or strict')
    .option('--no-joint', 'fit every spot alone (no grouping of crowded spots)')
    .option('--group-distance <d>', 'spots closer than d pixels are fitted together (default 6 sigma)')
    .option('--shared-width', 'one width per group of crowded spots')
    .option('--out <file>', 'write the table here (.csv or .tsv) instead of stdout')
    .option('--overlay <file>', 'write a PNG of the image with the fitted ellipses (2 sigma)')
    .option('--key <name>', 'the array to use in .npz/.json/.csv files with several')
    .option(
      '--start <name=value>',
      'start value of a parameter of an EXPR model that spots cannot estimate (repeatable)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option('-q, --quiet', 'no summary or progress on stderr')
    .addHelpText('after', EXAMPLES)
    .action(async (file: string, flags: SpotsFlags) => {
      try {
        await runCommand(file, flags, io);
      } catch (err) {
        throw withFlagNames(err);
      }
    });
  return cmd;
}

async function runCommand(file: string, flags: SpotsFlags, io: SpotsIo): Promise<void> {
  const { loadArray } = await import('../data/load.ts');
  const { runSpots, spotsOptionsFrom } = await import('../batch/spots.ts');
  const { options, out, overlay } = spotsOptionsFrom({
    model: flags.model,
    roi: flags.roi,
    minDistance: flags.minDistance,
    threshold: flags.threshold,
    smooth: flags.smooth,
    border: flags.border,
    maxPeaks: flags.maxPeaks,
    estimator: flags.estimator,
    threads: flags.threads,
    stop: flags.stop,
    joint: flags.joint === false ? false : undefined,
    groupDistance: flags.groupDistance,
    sharedWidth: flags.sharedWidth,
    out: flags.out,
    overlay: flags.overlay,
  });
  if (flags.start?.length) options.start = parseStarts(flags.start);
  const image = await loadArray(file, flags.key ? { key: flags.key } : {});
  const bar = !flags.quiet && io.stderr.isTTY === true;
  const started = Date.now();
  let shown = -1;
  if (bar) {
    options.onProgress = (done, total) => {
      if (Date.now() - started < 500 || total <= 0) return;
      const pct = Math.floor((100 * done) / total);
      if (pct === shown) return;
      shown = pct;
      const w = 30;
      const fill = Math.round((w * pct) / 100);
      io.stderr.write(`\r[${'#'.repeat(fill)}${'.'.repeat(w - fill)}] ${pct}% of ${total} spots`);
    };
  }
  let res;
  try {
    res = await runSpots(image, options);
  } catch (err) {
    // `the image is empty` / `has no finite pixels`: say which file
    if (err instanceof ExprfitError && /^the image\b/.test(err.message)) {
      throw err.withMessage((m) => m.replace(/^the image\b/, `the image ${file}`));
    }
    throw err;
  } finally {
    if (bar && shown >= 0) io.stderr.write('\r\x1b[K');
    const { closeBatchPool } = await import('../batch/pool.ts');
    await closeBatchPool();
  }
  const { mkdir } = await import('node:fs/promises');
  const { dirname } = await import('node:path');
  for (const f of [out, overlay]) if (f) await mkdir(dirname(f), { recursive: true });
  if (out) await res.writeCsv(out);
  else io.stdout.write(res.toCsv());
  if (overlay) await res.writeOverlay(overlay);
  if (!flags.quiet) {
    io.stderr.write(`${file}: ${res.summary}\n`);
    if (out) io.stderr.write(`wrote ${out}\n`);
    if (overlay) io.stderr.write(`wrote ${overlay}\n`);
  }
  process.exitCode = 0;
}
