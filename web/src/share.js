// The whole playground state in the URL hash: JSON, deflate-raw (CompressionStream), base64url.
// A link is untrusted input: decoding validates every field and drops what does not fit.

const PREFIX = '#s=';
const MAX_DECODED = 32 * 1024 * 1024;

function toBase64Url(bytes) {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text) {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export const bytesToBase64 = (bytes) => toBase64Url(bytes);
export const base64ToBytes = (text) => fromBase64Url(text);

async function pipe(bytes, stream) {
  const out = new Response(new Blob([bytes]).stream().pipeThrough(stream));
  const reader = out.body.getReader();
  const chunks = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > MAX_DECODED) { reader.cancel(); throw new Error('shared state too large'); }
    chunks.push(value);
  }
  const all = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) { all.set(c, at); at += c.length; }
  return all;
}

/** state: { dockerfile, files: [{path, text?|bytes?}], options: {target, buildArgs, platform, contextUnknown} } */
export async function encodeState(state) {
  const json = {
    v: 1,
    dockerfile: state.dockerfile,
    files: state.files.map((f) => ({ ...(f.bytes ? { path: f.path, b64: toBase64Url(f.bytes) } : { path: f.path, text: f.text }), ...(f.mode !== undefined ? { mode: f.mode } : {}) })),
    options: state.options,
  };
  const raw = new TextEncoder().encode(JSON.stringify(json));
  return PREFIX + toBase64Url(await pipe(raw, new CompressionStream('deflate-raw')));
}

const str = (v, fallback = '') => (typeof v === 'string' ? v : fallback);

export async function decodeState(hash) {
  if (!hash || !hash.startsWith(PREFIX)) return null;
  const raw = await pipe(fromBase64Url(hash.slice(PREFIX.length)), new DecompressionStream('deflate-raw'));
  const json = JSON.parse(new TextDecoder().decode(raw));
  if (!json || typeof json !== 'object' || json.v !== 1) throw new Error('unknown shared state version');
  const files = [];
  for (const f of Array.isArray(json.files) ? json.files : []) {
    if (!f || typeof f.path !== 'string' || !f.path) continue;
    // Permission bits only (no file type bits): a number in 0..0o7777, else the default.
    const mode = Number.isInteger(f.mode) && f.mode >= 0 && f.mode <= 0o7777 ? { mode: f.mode } : {};
    if (typeof f.b64 === 'string') files.push({ path: f.path, bytes: fromBase64Url(f.b64), ...mode });
    else files.push({ path: f.path, text: str(f.text), ...mode });
  }
  const o = json.options && typeof json.options === 'object' ? json.options : {};
  const buildArgs = {};
  if (o.buildArgs && typeof o.buildArgs === 'object') {
    for (const [k, v] of Object.entries(o.buildArgs)) if (typeof v === 'string') buildArgs[k] = v;
  }
  return {
    dockerfile: str(json.dockerfile),
    files,
    options: { target: str(o.target), platform: str(o.platform), buildArgs, contextUnknown: o.contextUnknown === true },
  };
}
