/**
 * Keeping API keys out of every message passk prints or stores. Endpoints and proxies sometimes
 * echo the request (headers included) in an error body, so replies are never trusted to be clean.
 */

/** Bearer tokens and OpenAI-style keys, whoever they belong to. */
const keyShapes = [/(Bearer\s+)[^\s"',;}]+/gi, /\bsk-[A-Za-z0-9_-]{8,}/g];

export function redactSecrets(text: string, apiKey?: string): string {
  let clean = apiKey ? text.split(apiKey).join('***') : text;
  for (const shape of keyShapes) clean = clean.replace(shape, (_match, prefix?: string) => `${typeof prefix === 'string' ? prefix : ''}***`);
  return clean;
}
