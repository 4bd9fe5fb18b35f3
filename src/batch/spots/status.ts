/** The status codes of the spot fits: those of the batch LM (src/batch/lm.ts), by name. */
import { STATUS } from '../lm.ts';

export { STATUS, STATUS_NAMES } from '../lm.ts';

export function isConverged(status: number): boolean {
  return status === STATUS.converged;
}
