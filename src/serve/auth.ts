/**
 * Bearer-token authorisation of `mtl serve` (as TorchServe's token authorisation and Hugging Face's
 * Inference Endpoints have it): a request carries `Authorization: Bearer <key>` (RFC 6750). Keys are
 * compared in constant time (SHA-256 digests of both through `crypto.timingSafeEqual`, so neither the
 * key's length nor its first differing byte shows in the timing) and never written to a log or an answer.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { ConfigError } from '../errors.js';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Whether `req` carries the bearer token `key`. */
export function authorized(req: IncomingMessage, key: Buffer): boolean {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer +(\S+) *$/i.exec(header);
  return match !== null && timingSafeEqual(digest(match[1]!), key);
}

/** The digest a server compares requests' tokens with. @throws ConfigError for an empty key or one with spaces. */
export function apiKeyDigest(key: string, where: string): Buffer {
  if (key.length === 0) throw new ConfigError(`${where} is empty; an API key needs at least one character`);
  if (/\s/.test(key)) throw new ConfigError(`${where} holds a space or line break inside the key; a bearer token is one word`);
  return digest(key);
}

/** The key in `file`: its text without the trailing line break. @throws ConfigError when it cannot be read or is empty. */
export function readApiKeyFile(file: string): string {
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (e) {
    throw new ConfigError(`cannot read the API key file ${file}: ${(e as Error).message}`);
  }
}

/** Whether `host` is a loopback address (only this machine can connect). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}
