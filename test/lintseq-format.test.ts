/**
 * LintSeq's text format, byte for byte: the diff text of phase II (checked by hand on cases worked
 * out from upstream's `get_diff`, then against Python's own difflib on random cases, run in the
 * sandbox toolchain), the training text, and the port of upstream's `resolve_edit_path` with its quirks.
 */
import {afterAll, describe, expect, it} from 'vitest';
import {openSandbox, type Sandbox} from '../src/execute/index.js';
import {defaultLimits} from '../src/execute/sandbox.js';
import {unifiedHunks} from '../src/train/lintseq/difflib.js';
import {editBetween, editPath, insertionStates} from '../src/train/lintseq/edits.js';
import {programOf} from '../src/train/lintseq/languages.js';
import {seededRandom} from '../src/train/lintseq/random.js';
import {renderEditPath, resolveEditPath} from '../src/train/lintseq/resolve.js';

describe('phase II diff text (upstream get_diff: unified_diff of stripped states, n=0, headers dropped)', () => {
  const cases: Array<[string, string, string]> = [
    ['', 'import os', '@@ -0,0 +1 @@\n+import os'],
    ['', 'import os\nx = 1\n', '@@ -0,0 +1,2 @@\n+import os\n+x = 1'],
    ['a\nc', 'a\nb\nc', '@@ -1,0 +2 @@\n+b'],
    ['a\nc', 'a\nb\nb2\nc\nd', '@@ -1,0 +2,2 @@\n+b\n+b2\n@@ -2,0 +5 @@\n+d'],
    ['b', 'a\nb\nc', '@@ -0,0 +1 @@\n+a\n@@ -1,0 +3 @@\n+c'],
    ['x\n\n', 'x\n\ny', '@@ -1,0 +2,2 @@\n+\n+y'],
    // Only blank lines differ: both sides strip to nothing, so the edit is empty.
    ['\n\n\n', '', ''],
    ['', '\n\n', ''],
    ['def f():\n    return 1', 'import os\ndef f():\n    x = 1\n    return 1\n', '@@ -0,0 +1 @@\n+import os\n@@ -1,0 +3 @@\n+    x = 1'],
    // difflib aligns the longest block first, so a repeated block can turn an insertion into a deletion plus insertions.
    ['A\nB\nC\nD\nE', 'C\nD\nE\nA\nB\nx\nC\nD\nE', '@@ -1,2 +0,0 @@\n-A\n-B\n@@ -5,0 +4,6 @@\n+A\n+B\n+x\n+C\n+D\n+E'],
  ];
  it.each(cases)('%j → %j', (before, after, expected) => {
    expect(editBetween(before, after)).toBe(expected);
  });

  it('states run from "" up to the original; the edits rebuild it (a "" edit when only blank lines are left)', () => {
    const program = 'import os\n\n\ndef f(x):\n    y = x\n    return y\n';
    // Deletion order: the body, then the import, then the def line.
    const chunks = [[4, 5], [0], [3]];
    expect(insertionStates(program, chunks)).toEqual(['', '\n\n', '\n\ndef f(x):\n', 'import os\n\n\ndef f(x):\n', program]);
    expect(editPath(program, chunks)).toEqual(['', '@@ -0,0 +1 @@\n+def f(x):', '@@ -0,0 +1,3 @@\n+import os\n+\n+', '@@ -4,0 +5,2 @@\n+    y = x\n+    return y']);
  });

  it('training text: a leading "\\n<|diff|>", the edits, then the two-empty-edit stop marker', () => {
    const {completion, text} = renderEditPath('Write f.', ['@@ -0,0 +1 @@\n+a', '@@ -1,0 +2 @@\n+b']);
    expect(completion).toBe('\n<|diff|>@@ -0,0 +1 @@\n+a\n<|diff|>@@ -1,0 +2 @@\n+b\n<|diff|>\n<|diff|>');
    expect(text).toBe(`Write f.${completion}`);
  });
});

describe('resolve_edit_path port', () => {
  it('inserts each hunk at its +c position, in order', () => {
    const completion = '\n<|diff|>@@ -0,0 +1,2 @@\n+a\n+c\n<|diff|>@@ -1,0 +2 @@\n+b\n<|diff|>\n<|diff|>';
    expect(resolveEditPath(completion)).toBe('a\nb\nc');
  });

  it('several hunks in one edit', () => {
    expect(resolveEditPath('@@ -0,0 +1 @@\n+b\n<|diff|>@@ -0,0 +1 @@\n+a\n@@ -1,0 +3 @@\n+c')).toBe('a\nb\nc');
  });

  it('strips the characters of <|endoftext|> from the end, not the token (upstream rstrip): "next" is lost', () => {
    expect(resolveEditPath('@@ -0,0 +1 @@\n+x = next')).toBe('x = ');
    expect(resolveEditPath('@@ -0,0 +1 @@\n+x = next\n<|diff|>\n<|diff|>')).toBe('x = next');
    // A single trailing "\n<|diff|>" keeps "<|di" after the strip, and it becomes a line.
    expect(resolveEditPath('@@ -0,0 +1 @@\n+x = next\n<|diff|>')).toBe('x = next\n<|di');
  });

  it('a malformed hunk is skipped, or empties the result with malformedPenalty', () => {
    const text = '@@ -0,0 +1 @@\n+a\n<|diff|>@@ -1,0 +2 @@\n+s = "@@"\n<|diff|>@@ nonsense @@\n+z\n<|diff|>@@ -1,0 +2 @@\n+b\n<|diff|>\n<|diff|>';
    expect(resolveEditPath(text)).toBe('a\nb');
    expect(resolveEditPath(text, {malformedPenalty: true})).toBe('');
  });

  it('rows lose every leading - and then every leading +; a position past the end appends, a negative one counts from the end', () => {
    expect(resolveEditPath('@@ -0,0 +1 @@\n++1')).toBe('1');
    expect(resolveEditPath('@@ -0,0 +1,2 @@\n+a\n+b\n<|diff|>@@ -1,2 +0,0 @@\n-A\n-B')).toBe('a\nA\nB\nb');
    expect(resolveEditPath('@@ -0,0 +1 @@\n+a\n<|diff|>@@ -9,0 +99 @@\n+z')).toBe('a\nz');
  });

  it('text without any hunk resolves to ""', () => {
    expect(resolveEditPath('def f():\n    return 1')).toBe('');
  });
});

describe('programOf (upstream strip_chain_of_thought)', () => {
  it('keeps only the ```python blocks, joined and stripped', () => {
    expect(programOf('Here:\n```python\nx = 1\n```\nand\n```python\ny = 2\n```\n', 'python')).toBe('x = 1\n\n\ny = 2');
    expect(programOf('x = 1\n', 'python')).toBe('x = 1\n');
  });
});

/** Python's difflib itself, in the sandbox toolchain: the reference the TypeScript port must match byte for byte. */
const sandbox: Sandbox | undefined = await openSandbox({backend: 'bwrap'}).catch((error: unknown) => {
  console.warn(`skipping the difflib parity test: ${(error as Error).message}`);
  return undefined;
});
afterAll(() => sandbox?.close());

describe.skipIf(!sandbox)('unified_diff parity with Python difflib', () => {
  it('random line lists with repeats, small and past the 200-line autojunk threshold, give the same hunks', async () => {
    const random = seededRandom('difflib-parity');
    const pick = (n: number) => Math.floor(random() * n);
    const cases: Array<[string[], string[]]> = [];
    for (let c = 0; c < 300; c++) {
      const alphabet = 1 + pick(c < 250 ? 6 : 40);
      const length = c < 250 ? pick(14) : 200 + pick(120);
      const a = Array.from({length}, () => `l${pick(alphabet)}`);
      // Mostly insertions (what LintSeq diffs), sometimes arbitrary edits.
      const b = c % 3 === 0 ? Array.from({length: pick(length + 5)}, () => `l${pick(alphabet)}`) : a.flatMap((line) => (random() < 0.3 ? [`l${pick(alphabet)}`, line] : [line]));
      cases.push([a, b]);
    }
    const script = [
      'import difflib, json, sys',
      'for a, b in json.load(sys.stdin):',
      '    print(json.dumps(list(difflib.unified_diff(a, b, n=0, fromfile="file1", tofile="file2", lineterm=""))[2:]))',
    ].join('\n');
    const result = await sandbox!.run({files: {'parity.py': script}, steps: [{argv: ['python3', '-I', 'parity.py']}], stdin: JSON.stringify(cases), limits: defaultLimits});
    expect(result.steps[0]?.exitCode, result.steps[0]?.stderr).toBe(0);
    const expected = result.steps[0]!.stdout.trim().split('\n').map((line) => JSON.parse(line) as string[]);
    expect(expected).toHaveLength(cases.length);
    cases.forEach(([a, b], i) => expect(unifiedHunks(a, b, 0), JSON.stringify([a, b])).toEqual(expected[i]));
  });
});
