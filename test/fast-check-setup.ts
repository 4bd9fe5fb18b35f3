/**
 * Property tests (fast-check) run from a fixed seed, so `npm test` gives the same verdict on every run and
 * machine. To explore new random cases, set FC_SEED to a number, or to `random` for a fresh seed each run;
 * a failure prints its seed and path, so it can be replayed and then added as a table case.
 */
import fc from 'fast-check';

const env = process.env.FC_SEED;
if (env !== 'random') fc.configureGlobal({ seed: env !== undefined && env !== '' ? Number(env) : 20261202 });
