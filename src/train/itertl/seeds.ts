/**
 * The seed set: one JSONL row per task, {id, instruction, reference, lang, testbench?, tests?,
 * entry_point?}. A Verilog testbench is in VerilogEval v2's form (module tb, instantiating RefModule
 * and TopModule, printing "Mismatches: %1d in %1d samples"), judged by the VerilogEval judge; Python
 * tests are in HumanEval's form (`def check(candidate)`, called with entry_point), judged by its
 * strict checker.
 */
import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';
import {z} from 'zod';
import {hasMismatchesDisplay} from '../../bench/verilog/testbench.js';
import {UserError} from '../../errors.js';

const seedRowSchema = z
  .strictObject({
    id: z.string().min(1),
    instruction: z.string().min(1),
    reference: z.string().min(1),
    lang: z.enum(['verilog', 'python']),
    testbench: z.string().optional(),
    tests: z.string().optional(),
    entry_point: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).optional(),
  })
  .refine((row) => row.testbench === undefined || row.lang === 'verilog', {message: 'testbench is for Verilog rows (Python rows take tests)', path: ['testbench']})
  .refine((row) => row.testbench === undefined || (/\bmodule\s+tb\b/.test(row.testbench) && hasMismatchesDisplay(row.testbench)), {
    message: 'a testbench must be VerilogEval v2\'s form: module tb, printing $display("Mismatches: %1d in %1d samples", ...) once',
    path: ['testbench'],
  })
  .refine((row) => row.tests === undefined || (row.lang === 'python' && row.entry_point !== undefined), {message: 'tests are for Python rows and need entry_point', path: ['tests']});

export type SeedRow = z.output<typeof seedRowSchema>;

export interface SeedSet {
  rows: SeedRow[];
  /** sha256 of the file's bytes (the manifest's input hash). */
  sha256: string;
}

export function readSeeds(file: string): SeedSet {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new UserError(`cannot read the seed set ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const rows: SeedRow[] = [];
  const ids = new Set<string>();
  bytes
    .toString('utf8')
    .split('\n')
    .forEach((line, at) => {
      if (line.trim() === '') return;
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        throw new UserError(`${file}:${at + 1}: not a JSON object`);
      }
      const parsed = seedRowSchema.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        const what = issue.code === 'unrecognized_keys' ? `unknown key "${issue.keys[0]}"` : `${issue.path.join('.') || 'row'}: ${issue.message}`;
        throw new UserError(`${file}:${at + 1}: ${what}`);
      }
      if (ids.has(parsed.data.id)) throw new UserError(`${file}:${at + 1}: id ${parsed.data.id} appears twice`);
      ids.add(parsed.data.id);
      rows.push(parsed.data);
    });
  if (rows.length === 0) throw new UserError(`${file}: the seed set has no rows`);
  return {rows, sha256: createHash('sha256').update(bytes).digest('hex')};
}
