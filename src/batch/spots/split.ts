/**
 * Blend splitting with targeted refits: a spot fitted much wider than the others may be two spots fitted as
 * one. Its group alone is fitted again, over the same region, with the blend replaced by two peaks; the split
 * is kept only when it is significantly better by the Bayesian information criterion (and both halves are
 * significant spots), so a wide single spot is never lost. Up to three rounds, each over the spots of the
 * groups split in the round before.
 */
import { median } from '../findPeaks.ts';
import { momentStart, type MomentStart } from '../moments.ts';
import {
  emptyColumns,
  fitGroups,
  type GroupsInput,
  type PassColumns,
  type PassIndex,
  type PassResult,
} from './fit.ts';
import type { SpotsContext } from './options.ts';
import { noNeighbours } from './group.ts';
import { clampInt, type Group, type PeakPixels } from './regions.ts';
import { SPOT_COLUMNS } from './report.ts';
import type { PriorFit } from './starts.ts';
import { isConverged } from './status.ts';

/** Peak pixels and their fits. */
export interface PeakSet extends PeakPixels {
  readonly pass: PassResult;
}

/** A blend and the two peaks that replace it. */
interface Blend {
  readonly i: number;
  readonly ax: number;
  readonly ay: number;
  readonly bx: number;
  readonly by: number;
}

/** The refit of one group with its blends split: the old group's index and the new group. */
interface Trial {
  readonly gi: number;
  readonly group: Group;
}

/** The trials of a round and their fits (spots numbered: the old ones, then the new peaks). */
interface Trials {
  readonly peaks: PeakPixels;
  readonly trials: readonly Trial[];
  readonly fits: PassColumns;
}

/** The median fitted width of converged spots (most spots are resolved; moments of crowded spots are not). */
function typicalWidth(pass: PassResult): number {
  const c = pass.cols;
  const widths = new Float64Array(c.x.length);
  let n = 0;
  for (let i = 0; i < c.x.length; i++)
    if (isConverged(c.status[i]) && Number.isFinite(c.sigma_x[i])) widths[n++] = c.sigma_x[i];
  return n ? median(widths.subarray(0, n)) : pass.sigmaEstimate;
}

function isBlend(pass: PassResult, i: number, s0: number): boolean {
  const sg = pass.cols.sigma_x[i];
  const err = pass.sigmaErr[i];
  if (!isConverged(pass.cols.status[i]) || !(sg > 1.1 * s0)) return false;
  return Number.isFinite(err) ? sg - s0 >= 5 * err : sg >= 1.25 * s0;
}

/** The other members and Voronoi neighbours of spot i's group (image coordinates of their fits). */
function neighbourFits(set: PeakSet, i: number): { x: number[]; y: number[] } {
  const c = set.pass.cols;
  const g = set.pass.groups[set.pass.group[i]];
  const js = [...g.members, ...g.others].filter((j) => j !== i && Number.isFinite(c.x[j]));
  return { x: js.map((j) => c.x[j]), y: js.map((j) => c.y[j]) };
}

/** The two peaks that replace blend `i`: on the major axis of its moments, d = 2·sqrt(major² − σ²) apart. */
function splitPeaks(ctx: SpotsContext, set: PeakSet, i: number, s0: number): Blend {
  const { img, W, H, half } = ctx;
  const c = set.pass.cols;
  const cx = clampInt(Math.round(c.x[i]), 0, W - 1, set.px[i]);
  const cy = clampInt(Math.round(c.y[i]), 0, H - 1, set.py[i]);
  const r = Math.min(half, Math.ceil(4 * c.sigma_x[i]));
  const others = neighbourFits(set, i);
  const mo = momentStart(img, H, W, cx, cy, r, { others, fallbackSigma: s0 });
  const d = Math.max(1.5 * s0, 2 * Math.sqrt(Math.max(0, mo.sigmaMajor ** 2 - s0 * s0)));
  const ux = Math.cos(mo.theta) * (d / 2);
  const uy = Math.sin(mo.theta) * (d / 2);
  let ax = clampInt(Math.round(c.x[i] + ux), 0, W - 1, cx);
  const ay = clampInt(Math.round(c.y[i] + uy), 0, H - 1, cy);
  let bx = clampInt(Math.round(c.x[i] - ux), 0, W - 1, cx);
  const by = clampInt(Math.round(c.y[i] - uy), 0, H - 1, cy);
  if (ax === bx && ay === by) {
    ax = clampInt(ax + 1, 0, W - 1, ax);
    bx = clampInt(bx - 1, 0, W - 1, bx);
  }
  return { i, ax, ay, bx, by };
}

/**
 * Blends among `candidates`: spots whose fitted width (symmetric model) is well above the median fitted
 * width σ — more than 1.1 times it and by more than 5 standard errors. Each is replaced by two peaks on the
 * major axis of its moments, separated by d = 2·sqrt(major² − σ²) (the second moment of a pair of Gaussians
 * along its axis is σ² + d²/4), at least 1.5·σ.
 */
function findBlends(ctx: SpotsContext, set: PeakSet, candidates: Iterable<number>, s0: number): Blend[] {
  const out: Blend[] = [];
  for (const i of candidates) if (isBlend(set.pass, i, s0)) out.push(splitPeaks(ctx, set, i, s0));
  return out;
}

/** The old peaks followed by the two new peaks of each blend (numbered n + 2b, n + 2b + 1). */
function withSplitPeaks(set: PeakSet, blends: readonly Blend[]): PeakPixels {
  const n = set.px.length;
  const px = new Int32Array(n + 2 * blends.length);
  const py = new Int32Array(n + 2 * blends.length);
  px.set(set.px);
  py.set(set.py);
  blends.forEach((b, k) => {
    px[n + 2 * k] = b.ax;
    py[n + 2 * k] = b.ay;
    px[n + 2 * k + 1] = b.bx;
    py[n + 2 * k + 1] = b.by;
  });
  return { px, py };
}

/** Each group with blends, its blends replaced by their two new peaks (same region, same neighbours). */
function trialGroups(set: PeakSet, blends: readonly Blend[]): Trial[] {
  const n = set.px.length;
  const byGroup = new Map<number, number[]>();
  blends.forEach((b, k) => {
    const gi = set.pass.group[b.i];
    byGroup.set(gi, [...(byGroup.get(gi) ?? []), k]);
  });
  return [...byGroup].map(([gi, ks]) => {
    const g = set.pass.groups[gi];
    const split = new Set(ks.map((k) => blends[k].i));
    const added = ks.flatMap((k) => [n + 2 * k, n + 2 * k + 1]);
    const members = [...g.members.filter((i) => !split.has(i)), ...added];
    return { gi, group: { ...g, members } };
  });
}

/** Moment starts of the trial groups' members (in their group's Voronoi cells). */
function trialMoments(ctx: SpotsContext, peaks: PeakPixels, trials: readonly Trial[]): MomentStart[] {
  const { img, W, H, half } = ctx;
  const { px, py } = peaks;
  const moments: MomentStart[] = [];
  for (const { group } of trials) {
    const all = [...group.members, ...group.others];
    for (const i of group.members) {
      const others = all.filter((j) => j !== i);
      const at = { x: others.map((j) => px[j]), y: others.map((j) => py[j]) };
      moments[i] = momentStart(img, H, W, px[i], py[i], half, { others: at });
    }
  }
  return moments;
}

/** Fits the trial groups of one round, drops the components that do not survive and fits again. */
async function fitTrials(
  ctx: SpotsContext,
  set: PeakSet,
  blends: readonly Blend[],
  at: PassIndex,
): Promise<Trials> {
  const peaks = withSplitPeaks(set, blends);
  const trials = trialGroups(set, blends);
  const spots = {
    near: noNeighbours(peaks.px.length),
    moments: trialMoments(ctx, peaks, trials),
    sigmaEstimate: set.pass.sigmaEstimate,
    groupDistance: set.pass.groupDistance,
  };
  const input = { peaks, spots, prior: set.pass };
  const first = await fitTrialGroups(ctx, { ...input, groups: trials.map((t) => t.group) });
  // Only a group that still has more spots than before can be a split.
  const pruned = trials
    .map((t) => ({
      ...t,
      group: { ...t.group, members: groupSurvivors(ctx, t.group.members, first, spots.sigmaEstimate) },
    }))
    .filter((t) => t.group.members.length > set.pass.groups[t.gi].members.length);
  const groups = pruned.map((t) => t.group);
  const progress = trialProgress(ctx, at, set.px.length);
  const fits = await fitTrialGroups(ctx, { ...input, groups, prior: startsFrom(first) }, progress);
  return { peaks, trials: pruned, fits };
}

/** Fits the trial groups (reporting progress, spots done, when given). */
async function fitTrialGroups(
  ctx: SpotsContext,
  input: GroupsInput,
  progress?: (done: number) => void,
): Promise<PassColumns> {
  const fits = emptyColumns(input.peaks.px.length, ctx.model.params.length);
  await fitGroups(ctx, input, input.groups.keys(), fits, progress);
  return fits;
}

/** Progress of a trial pass: spots done of the `n` spots of the set (the totals of the other passes). */
function trialProgress(ctx: SpotsContext, at: PassIndex, n: number): ((done: number) => void) | undefined {
  const report = ctx.options.onProgress;
  return report && ((done: number) => report(((at.index + done / n) / at.total) * n, n));
}

/** Fits as start values of the next fit, converged or not (a trial's first fit may stop at its iteration limit). */
function startsFrom(fits: PassColumns): PriorFit {
  return {
    cols: { x: fits.cols.x, y: fits.cols.y, status: new Float64Array(fits.cols.x.length) },
    params: fits.params,
  };
}

/**
 * The members of a trial group to keep: each with a finite centre and a significant amplitude (at least 3
 * standard errors), and none within σ/2 of a brighter one (two components on one spot).
 */
function groupSurvivors(
  ctx: SpotsContext,
  members: readonly number[],
  fits: PassColumns,
  sigmaEstimate: number,
): number[] {
  const c = fits.cols;
  const hasAmp = ctx.model.roles.amplitude !== undefined;
  const amp = (i: number): number => (Number.isFinite(c.amplitude[i]) ? c.amplitude[i] : -Infinity);
  const kept: number[] = [];
  for (const i of [...members].sort((p, q) => amp(q) - amp(p) || p - q)) {
    const a = c.amplitude[i];
    const e = c.amplitude_err[i];
    if (!Number.isFinite(c.x[i]) || !Number.isFinite(c.y[i])) continue;
    if (hasAmp && (!(a > 0) || (Number.isFinite(e) && a < 3 * e))) continue;
    const s = Math.max(0.5, Math.min(c.sigma_x[i], c.sigma_y[i]) || sigmaEstimate);
    if (!kept.some((j) => (c.x[j] - c.x[i]) ** 2 + (c.y[j] - c.y[i]) ** 2 < (0.5 * s) ** 2)) kept.push(i);
  }
  return members.filter((i) => kept.includes(i));
}

/** Free parameters one more spot adds to a joint fit (the background and a shared width are not its own). */
function paramsPerSpot(ctx: SpotsContext): number {
  const r = ctx.model.roles;
  const shared = ctx.options.sharedWidth ? [r.sigma, r.sigmaX, r.sigmaY, r.theta].filter(Boolean).length : 0;
  return ctx.model.params.length - (r.background ? 1 : 0) - shared;
}

/**
 * Whether the split fit is significantly better than the blend's: the likelihood ratio statistic (the drop
 * of the Poisson deviance, or n·ln(RSS₀/RSS₁) for least squares) above the BIC penalty k·ln(n), k the added
 * parameters.
 */
function significantlyBetter(
  ctx: SpotsContext,
  [chi0, chi1]: readonly [number, number],
  n: number,
  k: number,
): boolean {
  if (!(chi1 >= 0) || !(chi0 >= 0) || !(n > 0)) return false;
  const lr = ctx.estimator === 'poisson' ? chi0 - chi1 : n * Math.log(chi0 / chi1);
  return lr > k * Math.log(n);
}

/** Every member of the trial's refit converged, and it has more spots than the group it replaces. */
function cleanSplit(fits: PassColumns, members: readonly number[], added: number): boolean {
  return added > 0 && members.every((i) => isConverged(fits.cols.status[i]));
}

/** The trials whose split is kept. */
function acceptedTrials(ctx: SpotsContext, set: PeakSet, round: Trials): Trial[] {
  const perSpot = paramsPerSpot(ctx);
  const old = set.pass.groups;
  return round.trials.filter((t) => {
    const i0 = old[t.gi].members[0];
    const i1 = t.group.members[0];
    const added = t.group.members.length - old[t.gi].members.length;
    if (!cleanSplit(round.fits, t.group.members, added)) return false;
    const chi = [set.pass.cols.chi2[i0], round.fits.cols.chi2[i1]] as const;
    return significantlyBetter(ctx, chi, round.fits.npoints[i1], perSpot * added);
  });
}

/** Copies spot `from` of `src` to spot `to` of `out`. */
function copySpot(src: PassColumns, from: number, to: number, out: PassColumns): void {
  const P = out.params.length / out.cols.id.length;
  for (const c of SPOT_COLUMNS) out.cols[c][to] = src.cols[c][from];
  out.cols.id[to] = to;
  out.params.set(src.params.subarray(from * P, (from + 1) * P), to * P);
  out.sigmaErr[to] = src.sigmaErr[from];
  out.clipped[to] = src.clipped[from];
  out.npoints[to] = src.npoints[from];
}

/** The old spots (less the accepted blends), then the new peaks of accepted trials; old index → new. */
function mergedOrder(set: PeakSet, round: Trials, accepted: readonly Trial[]): Int32Array {
  const n = round.peaks.px.length;
  const keep = new Uint8Array(n);
  for (let i = 0; i < set.px.length; i++) keep[i] = 1;
  for (const t of accepted) {
    for (const i of set.pass.groups[t.gi].members) keep[i] = 0;
    for (const i of t.group.members) keep[i] = 1;
  }
  const map = new Int32Array(n).fill(-1);
  let k = 0;
  for (let i = 0; i < n; i++) if (keep[i]) map[i] = k++;
  return map;
}

/** The set after the accepted splits: peaks, their fits, the groups (the split ones replaced). */
function mergeSplits(ctx: SpotsContext, set: PeakSet, round: Trials, accepted: readonly Trial[]): PeakSet {
  const map = mergedOrder(set, round, accepted);
  const fromTrial = new Set(accepted.flatMap((t) => t.group.members));
  const m = map.reduce((a, v) => (v >= 0 ? a + 1 : a), 0);
  const out = emptyColumns(m, ctx.model.params.length);
  const px = new Int32Array(m);
  const py = new Int32Array(m);
  map.forEach((to, from) => {
    if (to < 0) return;
    px[to] = round.peaks.px[from];
    py[to] = round.peaks.py[from];
    copySpot(fromTrial.has(from) ? round.fits : set.pass, from, to, out);
  });
  const groups = [...set.pass.groups];
  for (const t of accepted) groups[t.gi] = t.group;
  const renumbered = groups.map((g) => ({
    ...g,
    members: g.members.map((i) => map[i]),
    others: g.others.map((i) => map[i]).filter((i) => i >= 0),
  }));
  return { px, py, pass: { ...set.pass, ...out, ...groupColumns(renumbered, m), groups: renumbered } };
}

/** Each spot's group and its size. */
function groupColumns(groups: readonly Group[], n: number): { group: Int32Array; groupSize: Int32Array } {
  const group = new Int32Array(n);
  const groupSize = new Int32Array(n);
  groups.forEach((g, gi) => {
    for (const i of g.members) {
      group[i] = gi;
      groupSize[i] = g.members.length;
    }
  });
  return { group, groupSize };
}

/** Splits blends (up to 3 rounds); `split`: the spots this added. `next()` numbers the rounds (progress). */
export async function splitBlends(
  ctx: SpotsContext,
  first: PeakSet,
  next: () => PassIndex,
): Promise<{ set: PeakSet; split: number }> {
  let set = first;
  let candidates: Iterable<number> = set.pass.cols.id.keys();
  const s0 = typicalWidth(set.pass);
  for (let round = 0; round < 3; round++) {
    const blends = findBlends(ctx, set, candidates, s0);
    if (!blends.length) break;
    const trials = await fitTrials(ctx, set, blends, next());
    const accepted = acceptedTrials(ctx, set, trials);
    if (!accepted.length) break;
    const merged = mergeSplits(ctx, set, trials, accepted);
    candidates = acceptedMembers(merged, accepted);
    set = merged;
  }
  return { set, split: set.px.length - first.px.length };
}

/** The spots of the accepted groups in the merged set (the next round's candidates). */
function acceptedMembers(merged: PeakSet, accepted: readonly Trial[]): number[] {
  return accepted.flatMap((t) => merged.pass.groups[t.gi].members);
}
