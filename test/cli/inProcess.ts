/** Running the CLI's `main` in the test process (no spawn), capturing its output and exit status. */
import { main } from '../../src/cli/main.ts';

export interface InProcessResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs `exprfit ARGS` in this process (stdin: the given text); `process.exitCode` is restored afterwards. */
export async function runInProcess(args: string[], stdinText = ''): Promise<InProcessResult> {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    stdin: [stdinText],
  };
  const before = process.exitCode;
  await main(args, io);
  const status = Number(process.exitCode ?? 0);
  process.exitCode = before;
  return { status, stdout, stderr };
}
