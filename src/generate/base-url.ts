/** Parsing and normalising an OpenAI-compatible base URL such as `http://localhost:8000/v1`. */
import {UserError} from '../errors.js';

/** Validates a base URL; credentials in it are refused because URLs end up in errors and stored configs. */
export function parseBaseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UserError(`invalid base URL "${raw}": expected e.g. http://localhost:8000/v1`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UserError(`invalid base URL "${raw}": only http and https are supported`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new UserError('the base URL must not contain credentials; pass the API key in OPENAI_API_KEY');
  }
  url.hash = '';
  return url;
}

/** One spelling per endpoint (lower-case host, no default port, no trailing slash), for cache keys. */
export function normalizeBaseUrl(raw: string): string {
  const url = parseBaseUrl(raw);
  return url.origin + url.pathname.replace(/\/+$/, '') + url.search;
}

/** `{base}/path`, keeping the base's query string (Azure's `?api-version=`). */
export function endpointUrl(base: URL, path: string): string {
  const url = new URL(base.href);
  url.pathname = base.pathname.replace(/\/+$/, '') + path;
  return url.href;
}
