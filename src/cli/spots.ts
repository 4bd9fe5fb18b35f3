/**
 * `exprfit spots IMAGE ...`: find and fit the spots of an image (src/batch/spots/; docs/batch.md). Registered
 * in main.ts with `program.addCommand(spotsCommand(io, program))`. Its flags come from `spotsSchema`; the
 * pipeline is imported only when the command runs.
 *
 * Output: the table (CSV) on stdout, or in `--out`; the overlay PNG in `--overlay`; a summary on stderr (and a
 * progress bar there on a terminal when the fits take a while). Exit status 0 (fits that did not converge are
 * reported in the `status` column), 2 for bad input.
 */
import { checkStartValues, spotsSchema, type ValidSpotsOptions } from '../batch/index.ts';
import type { SpotsStackResult } from '../batch/node.ts';
import {
  cliFlag,
  ExprfitError,
  optionDoc,
  OptionError,
  optionKeys,
  type OptionsInput,
  parseOptions,
  renderOptionKey,
} from '../core/index.ts';
import type { FrameStack } from '../data/node.ts';
import { progressLine, type Stream } from '../repl/index.ts';
import { nameMap } from '../script/index.ts';
import { spotsFileSpecs, spotsStartSpec } from '../script/node.ts';
import { createRequire } from 'node:module';
import type { Command as CommandType } from 'commander';

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
  $ exprfit spots stack.tif --threads 2 --out spots.csv

A multi-page TIFF or a 3-D .npy file is a stack: read frame by frame, one table with a frame column first
(docs/spots.md); --threads fits frames in parallel.

Columns: id, x, y (0-based pixel centres), amplitude, sigma_x, sigma_y, theta, background, x_err, y_err,
amplitude_err, chi2, iterations, status (0 converged, 1 max-iterations, 2 singular, 3 non-finite,
4 too-few-points: fewer valid pixels than parameters).
Spots closer than --group-distance (default 6 sigma) are fitted jointly as a sum of Gaussians with one
background; a spot fitted much wider than the others is tried as two (a blend).`;

/** The flags of the front end itself (the options of the pipeline come from `spotsSchema`). */
type OwnFlags = OptionsInput<typeof spotsFileSpecs> & {
  key?: string;
  quiet?: boolean;
  start?: string[];
};

type SpotsFlags = OwnFlags & Record<string, unknown>;

/** Option errors with the keys spelled as flags (`--min-distance`); other errors as they are. */
export function withFlagNames(err: unknown): unknown {
  return err instanceof OptionError ? err.forFrontEnd('cli') : err;
}

/** One flag per option of spotsSchema: `--roi <integer>`, and `--joint` / `--no-joint` for booleans. */
function addSchemaFlags(cmd: CommandType): void {
  for (const key of optionKeys(spotsSchema, 'cli')) {
    const spec = spotsSchema.specs[key as keyof typeof spotsSchema.specs];
    const flag = renderOptionKey(key, 'cli');
    if (spec.kind !== 'boolean') {
      cmd.option(cliFlag(key, spec), optionDoc(spec));
      continue;
    }
    cmd.option(flag, optionDoc(spec));
    cmd.option(`--no-${flag.slice(2)}`, `not ${flag}`);
  }
}

/** `--out`, `--overlay` and the repeatable `--start`: declared with the options of the `spots` statement. */
function addFileAndStartFlags(cmd: CommandType): void {
  for (const [key, spec] of Object.entries(spotsFileSpecs)) cmd.option(cliFlag(key, spec), optionDoc(spec));
  for (const [key, spec] of Object.entries(spotsStartSpec)) {
    const collect = (v: string, prev: string[] = []) => [...prev, v];
    cmd.option(cliFlag(key, spec), `${optionDoc(spec)} (repeatable)`, collect);
  }
}

/** The values of the schema's flags, by key (camelCase, as commander stores them). */
function schemaFlags(flags: SpotsFlags): Record<string, unknown> {
  return Object.fromEntries(optionKeys(spotsSchema, 'cli').map((k) => [k, flags[k]]));
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
    .argument(
      '<image>',
      'the image: .png, .tif, .fits, .npy, .npz, .json, .csv (a 2-D array), or a stack (multi-page .tif, 3-D .npy)',
    );
  addSchemaFlags(cmd);
  addFileAndStartFlags(cmd);
  cmd
    .option('--key <name>', 'the array to use in .npz/.json/.csv files with several')
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

/** The options of the pipeline from the flags; the start values checked against the model. */
async function optionsOf(flags: SpotsFlags): Promise<ValidSpotsOptions> {
  const { spotModel } = await import('../batch/index.ts');
  const options = parseOptions(spotsSchema, schemaFlags(flags), 'cli');
  const start = flags.start?.length ? parseStarts(flags.start) : undefined;
  checkStartValues(spotModel(options.model), start ?? {}, 'cli');
  return { ...options, ...(start ? { start } : {}) };
}

async function runCommand(file: string, flags: SpotsFlags, io: SpotsIo): Promise<void> {
  const { stackOrImage } = await import('../data/node.ts');
  const stack = flags.key === undefined ? await stackOrImage(file) : undefined;
  if (stack) return runStackCommand(stack, flags, io);
  const { loadArray } = await import('../data/node.ts');
  const { runSpots } = await import('../batch/node.ts');
  const { checkSpotImage } = await import('../batch/index.ts');
  const options = await optionsOf(flags);
  const { out, overlay } = flags;
  const image = await loadArray(file, flags.key ? { key: flags.key } : {});
  if (image.ndim === 2) checkSpotImage(image, `the image ${file}`);
  const bar = progressBar(flags, io);
  const onProgress = bar && ((done: number, total: number) => bar.update('spots', done, total));
  let res;
  try {
    res = await runSpots(image, { ...options, ...(onProgress ? { onProgress } : {}) });
  } finally {
    bar?.clear();
    const { closeBatchPool } = await import('../batch/node.ts');
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

/** A progress line on stderr when it is a terminal and not --quiet. */
function progressBar(flags: SpotsFlags, io: SpotsIo): ReturnType<typeof progressLine> | undefined {
  return !flags.quiet && io.stderr.isTTY === true ? progressLine(io.stderr, 500) : undefined;
}

/** A multi-page TIFF or 3-D .npy: frame by frame, one table with a frame column; progress in frames. */
async function runStackCommand(stack: FrameStack, flags: SpotsFlags, io: SpotsIo): Promise<void> {
  if (flags.overlay) {
    await stack.close();
    throw new ExprfitError(
      'usage',
      `--overlay draws one image; ${stack.file} is a stack of ${stack.count} frames`,
      { hints: ['leave out --overlay, or run spots on one frame'] },
    );
  }
  const options = await optionsOf(flags);
  const { runSpotsStack } = await import('../batch/node.ts');
  const bar = progressBar(flags, io);
  const onProgress = bar && ((done: number, total: number) => bar.update('frames', done, total));
  let res;
  try {
    res = await runSpotsStack(stack, { ...options, ...(onProgress ? { onProgress } : {}) });
  } finally {
    bar?.clear();
    await stack.close();
    const { closeBatchPool } = await import('../batch/node.ts');
    await closeBatchPool();
  }
  await writeStackTable(res, stack.file, flags, io);
}

async function writeStackTable(
  res: SpotsStackResult,
  file: string,
  flags: SpotsFlags,
  io: SpotsIo,
): Promise<void> {
  if (flags.out) {
    const { mkdir } = await import('node:fs/promises');
    const { dirname } = await import('node:path');
    await mkdir(dirname(flags.out), { recursive: true });
    await res.writeCsv(flags.out);
  } else io.stdout.write(res.toCsv());
  if (!flags.quiet) {
    io.stderr.write(`${file}: ${res.summary}\n`);
    if (flags.out) io.stderr.write(`wrote ${flags.out}\n`);
  }
  process.exitCode = 0;
}
