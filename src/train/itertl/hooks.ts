/**
 * The external trainer and server: shell templates run with execa (values shell-quoted, output
 * appended to the round's log), and vLLM's LoRA hot-load API. A hook that fails stops the loop
 * with a UserError (exit 2) naming the log; rerunning the same command resumes at that stage.
 */
import {appendFileSync, existsSync} from 'node:fs';
import path from 'node:path';
import {execa} from 'execa';
import {UserError} from '../../errors.js';
import {checkEndpoint} from '../../generate/openai.js';
import {endpointUrl, parseBaseUrl} from '../../generate/base-url.js';
import {sendRequest} from '../../generate/http.js';

export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** Fills {name} placeholders with shell-quoted values; an unknown placeholder is the user's mistake. */
export function fillTemplate(template: string, values: Record<string, string>, what: string): string {
  return template.replace(/\{([a-z_]+)\}/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new UserError(`${what}: unknown placeholder {${name}} (known: ${Object.keys(values).map((key) => `{${key}}`).join(' ')})`);
    return shellQuote(value);
  });
}

export interface HookRun {
  command: string;
  exitCode: number;
  seconds: number;
}

/** Runs a filled shell command with its output appended to `log`; a non-zero exit is a UserError. */
export async function runShellHook(what: string, command: string, log: string, cwd: string): Promise<HookRun> {
  appendFileSync(log, `\n$ ${command}\n`);
  const started = performance.now();
  const output = {file: log, append: true} as const;
  const result = await execa(command, {shell: true, cwd, stdin: 'ignore', stdout: output, stderr: output, reject: false});
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  if (result.exitCode !== 0) {
    const how = result.signal ? `was killed by ${result.signal}` : result.exitCode === undefined ? `could not start (${result.shortMessage})` : `exited with ${result.exitCode}`;
    throw new UserError(`${what} hook ${how} (see ${log}); fix it and run the same command again to resume`);
  }
  return {command, exitCode: 0, seconds};
}

/** The first expected artefact that exists in the trainer's output folder. */
export function findArtefact(out: string, names: readonly string[]): string | undefined {
  return names.map((name) => path.join(out, name)).find((file) => existsSync(file));
}

/**
 * vLLM's runtime LoRA loading (VLLM_ALLOW_RUNTIME_LORA_UPDATING=True): POST /v1/load_lora_adapter,
 * then GET /v1/models must list the adapter. An adapter already loaded (a resumed round) is fine as
 * long as the model list has it.
 */
export async function loadLoraAdapter(baseUrl: string, name: string, adapterPath: string, apiKey: string | undefined, log: string): Promise<void> {
  const url = endpointUrl(parseBaseUrl(baseUrl), '/load_lora_adapter');
  const reply = await sendRequest({method: 'POST', url, apiKey, json: {lora_name: name, lora_path: adapterPath}, timeoutMs: 600_000}).catch((error: Error) => {
    throw new UserError(`serve hook: POST ${url} failed: ${error.message}`);
  });
  appendFileSync(log, `\nPOST ${url} {lora_name: ${name}, lora_path: ${adapterPath}} → ${reply.status} ${reply.body.slice(0, 500)}\n`);
  const {models} = await checkEndpoint(baseUrl, apiKey);
  if (!models?.includes(name)) {
    throw new UserError(`serve hook: ${url} answered ${reply.status} (${reply.body.slice(0, 200).trim()}) and GET /v1/models does not list ${name}; is vLLM running with --enable-lora and VLLM_ALLOW_RUNTIME_LORA_UPDATING=True?`);
  }
}
