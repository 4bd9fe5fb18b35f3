/**
 * What the server, the page and its fit worker exchange: the session (`/session.json`) and the worker's
 * messages. Types only.
 */
import type { NdArrayJSON } from '../data/index.ts';
import type { FitResultJSON } from '../fit/index.ts';

/** A parameter as the page edits it: bounds null when unbounded. */
export interface SessionParam {
  value: number;
  min: number | null;
  max: number | null;
  fixed: boolean;
  /** A tie to other parameters (`1.5*sx`): the parameter follows it and has no bounds. */
  expr?: string;
}

/** `/session.json`: a script's model, data, parameters and fit options (src/web/session.ts). */
export interface SessionJSON {
  schema: 'exprfit-session';
  /** The script's file name. */
  file: string;
  /** The model as fitted: one `lhs = rhs` line per equation. */
  model: string;
  data: Record<string, NdArrayJSON>;
  params: Record<string, SessionParam>;
  /** The fit options (JSON: sigma per equation as `{ shape, data }` or a number). */
  options: Record<string, unknown>;
}

/** An array sent to the worker (typed arrays travel by structured clone). */
export interface WireArray {
  shape: number[];
  data: Float64Array;
}

/** The page asks the worker to fit. */
export interface FitRequest {
  model: string;
  data: Record<string, WireArray>;
  params: Record<string, SessionParam>;
  options: Record<string, unknown>;
  /** The points of the dense model curve where the worker computes the confidence band (1-D fits). */
  bandAt?: { variable: string; values: Float64Array };
}

export type WorkerReply =
  | { kind: 'progress'; done: number; total: number }
  | { kind: 'done'; result: FitResultJSON; report: string; band?: Float64Array }
  | { kind: 'error'; message: string };
