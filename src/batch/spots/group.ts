/**
 * Grouping: peaks closer than `groupDistance` are fitted jointly (union-find over a cell grid); groups larger
 * than `maxGroupSize` are fitted spot by spot, each in its Voronoi cell. Groups with the same number of spots,
 * region size and masking form one fit class: one `fitMany` batch.
 */
import { regionHasNaN, type Group, type PeakPixels } from './regions.ts';

class UnionFind {
  readonly parent: Int32Array;
  constructor(n: number) {
    this.parent = Int32Array.from({ length: n }, (_, i) => i);
  }
  find(i: number): number {
    while (this.parent[i] !== i) {
      this.parent[i] = this.parent[this.parent[i]];
      i = this.parent[i];
    }
    return i;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

/** Peaks by cell of a square grid: the peaks of each cell, in CSR form (cell → start..end in `order`). */
class CellGrid {
  readonly start: Int32Array;
  readonly order: Int32Array;
  readonly gw: number;
  readonly gh: number;
  constructor(
    px: Int32Array,
    py: Int32Array,
    readonly cell: number,
  ) {
    let maxX = 0;
    let maxY = 0;
    for (let i = 0; i < px.length; i++) {
      maxX = Math.max(maxX, px[i]);
      maxY = Math.max(maxY, py[i]);
    }
    this.gw = Math.floor(maxX / cell) + 1;
    this.gh = Math.floor(maxY / cell) + 1;
    this.start = new Int32Array(this.gw * this.gh + 1);
    for (let i = 0; i < px.length; i++) this.start[this.cellOf(px[i], py[i]) + 1]++;
    for (let c = 0; c < this.gw * this.gh; c++) this.start[c + 1] += this.start[c];
    const fill = this.start.slice(0, -1);
    this.order = new Int32Array(px.length);
    for (let i = 0; i < px.length; i++) this.order[fill[this.cellOf(px[i], py[i])]++] = i;
  }
  cellOf(x: number, y: number): number {
    return Math.floor(y / this.cell) * this.gw + Math.floor(x / this.cell);
  }
}

/** Peaks within a radius of each peak, in CSR form: those of peak i are `list[start[i]]..list[start[i + 1] - 1]`. */
export interface NeighbourLists {
  readonly start: Int32Array;
  readonly list: Int32Array;
}

/** No neighbours for any of n peaks. */
export function noNeighbours(n: number): NeighbourLists {
  return { start: new Int32Array(n + 1), list: new Int32Array(0) };
}

/** Peaks within `radius` (Euclidean) of each peak, by a cell grid (no array per peak). */
export function neighbours(px: Int32Array, py: Int32Array, radius: number): NeighbourLists {
  const grid = new CellGrid(px, py, Math.max(1, radius));
  const r2 = radius * radius;
  const start = new Int32Array(px.length + 1);
  let list: Int32Array = new Int32Array(Math.max(16, 8 * px.length));
  let m = 0;
  for (let i = 0; i < px.length; i++) {
    const gx = Math.floor(px[i] / grid.cell);
    const gy = Math.floor(py[i] / grid.cell);
    for (let cy = Math.max(0, gy - 1); cy <= Math.min(grid.gh - 1, gy + 1); cy++) {
      for (let cx = Math.max(0, gx - 1); cx <= Math.min(grid.gw - 1, gx + 1); cx++) {
        const c = cy * grid.gw + cx;
        for (let k = grid.start[c]; k < grid.start[c + 1]; k++) {
          const j = grid.order[k];
          if (j === i || (px[j] - px[i]) ** 2 + (py[j] - py[i]) ** 2 > r2) continue;
          if (m === list.length) list = grown(list);
          list[m++] = j;
        }
      }
    }
    start[i + 1] = m;
  }
  return { start, list: list.subarray(0, m) };
}

function grown(a: Int32Array): Int32Array {
  const b = new Int32Array(2 * a.length);
  b.set(a);
  return b;
}

export interface GroupOptions {
  readonly W: number;
  readonly H: number;
  readonly half: number;
  readonly joint: boolean;
  readonly maxGroup: number;
  readonly groupDistance: number;
  /**
   * Peaks outside a group farther than this from its region are not masked out of it (their light there is
   * below e^-8 of their amplitude at 4 widths): min(roi, 4·σ).
   */
  readonly maskReach: number;
}

export interface Grouping {
  readonly groups: readonly Group[];
  /** Group of each spot and its size. */
  readonly groupOf: Int32Array;
  readonly groupSize: Int32Array;
}

/** Peaks connected by distances <= groupDistance (each peak alone without joint fitting), in first-peak order. */
function clusters(peaks: PeakPixels, joint: boolean, groupDistance: number): number[][] {
  const { px, py } = peaks;
  const n = px.length;
  const uf = new UnionFind(n);
  if (joint) {
    const close = neighbours(px, py, groupDistance);
    for (let i = 0; i < n; i++)
      for (let k = close.start[i]; k < close.start[i + 1]; k++) uf.union(i, close.list[k]);
  }
  const byRoot = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const r = uf.find(i);
    const l = byRoot.get(r);
    if (l) l.push(i);
    else byRoot.set(r, [i]);
  }
  return [...byRoot.values()];
}

interface Box {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

/** Whether peak j lies within `reach` of the box. */
function inReach({ px, py }: PeakPixels, j: number, box: Box, reach: number): boolean {
  return (
    px[j] >= box.x0 - reach && px[j] <= box.x1 + reach && py[j] >= box.y0 - reach && py[j] <= box.y1 + reach
  );
}

/** Peaks outside the group, near a member, within `reach` of the box (whose Voronoi cells matter in it). */
function voronoiOthers(
  members: number[],
  near: NeighbourLists,
  peaks: PeakPixels,
  box: Box,
  reach: number,
): number[] {
  const others: number[] = [];
  // One member: its neighbours are distinct and not itself.
  if (members.length === 1) {
    const i = members[0];
    for (let k = near.start[i]; k < near.start[i + 1]; k++)
      if (inReach(peaks, near.list[k], box, reach)) others.push(near.list[k]);
    return others;
  }
  const set = new Set(members);
  const seen = new Set<number>();
  for (const i of members) {
    for (let k = near.start[i]; k < near.start[i + 1]; k++) {
      const j = near.list[k];
      if (set.has(j) || seen.has(j)) continue;
      seen.add(j);
      if (inReach(peaks, j, box, reach)) others.push(j);
    }
  }
  return others;
}

/** The region of a group: the ROIs of its members, clipped at the image edge; Voronoi-masked when `voronoi`. */
function groupRegion(
  members: number[],
  voronoi: boolean,
  peaks: PeakPixels,
  near: NeighbourLists,
  opts: GroupOptions,
): Group {
  const { W, H, half } = opts;
  const raw = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
  for (const i of members) {
    raw.x0 = Math.min(raw.x0, peaks.px[i] - half);
    raw.y0 = Math.min(raw.y0, peaks.py[i] - half);
    raw.x1 = Math.max(raw.x1, peaks.px[i] + half);
    raw.y1 = Math.max(raw.y1, peaks.py[i] + half);
  }
  const clipped = raw.x0 < 0 || raw.y0 < 0 || raw.x1 >= W || raw.y1 >= H;
  const box = {
    x0: Math.max(0, raw.x0),
    y0: Math.max(0, raw.y0),
    x1: Math.min(W - 1, raw.x1),
    y1: Math.min(H - 1, raw.y1),
  };
  const others = voronoi ? voronoiOthers(members, near, peaks, box, opts.maskReach) : [];
  return {
    members,
    bx: box.x0,
    by: box.y0,
    bw: box.x1 - box.x0 + 1,
    bh: box.y1 - box.y0 + 1,
    others,
    clipped,
  };
}

/** The groups of the peaks and each spot's group. */
export function groupPeaks(peaks: PeakPixels, near: NeighbourLists, opts: GroupOptions): Grouping {
  const groups: Group[] = [];
  for (const members of clusters(peaks, opts.joint, opts.groupDistance)) {
    if (members.length > opts.maxGroup) {
      for (const i of members) groups.push(groupRegion([i], true, peaks, near, opts));
    } else {
      groups.push(groupRegion(members, opts.joint, peaks, near, opts));
    }
  }
  const n = peaks.px.length;
  const groupOf = new Int32Array(n);
  const groupSize = new Int32Array(n);
  groups.forEach((g, gi) => {
    for (const i of g.members) {
      groupOf[i] = gi;
      groupSize[i] = g.members.length;
    }
  });
  return { groups, groupOf, groupSize };
}

/** Groups fitted in one batch: the same number of spots and region size, masked or not. */
export interface FitClass {
  readonly spots: number;
  readonly bh: number;
  readonly bw: number;
  /** Some pixels are NaN (Voronoi cells of other peaks, or NaN in the image). */
  readonly masked: boolean;
}

function classKey(c: FitClass): string {
  return `${c.spots}|${c.bh}|${c.bw}|${c.masked ? 1 : 0}`;
}

/** The fit classes of the groups `gis` (in order of first appearance) with their groups' indices. */
export function fitClasses(
  groups: readonly Group[],
  gis: Iterable<number>,
  image: { readonly img: Float64Array; readonly W: number; readonly hasNaN: boolean },
): Map<string, { readonly cls: FitClass; readonly groups: number[] }> {
  const classes = new Map<string, { cls: FitClass; groups: number[] }>();
  for (const gi of gis) {
    const g = groups[gi];
    const masked = g.others.length > 0 || (image.hasNaN && regionHasNaN(image.img, image.W, g));
    const cls: FitClass = { spots: g.members.length, bh: g.bh, bw: g.bw, masked };
    const key = classKey(cls);
    const entry = classes.get(key);
    if (entry) entry.groups.push(gi);
    else classes.set(key, { cls, groups: [gi] });
  }
  return classes;
}
