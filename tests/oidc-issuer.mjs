// A CI platform's OIDC token issuer on 127.0.0.1, playing GitHub Actions for the end-to-end
// test of the token exchange (tests/tests/workload.rs). It signs with `jose` (pinned in
// scripts/install-consumers, found under $SCANLEDGER_CONSUMERS/node) and a key pair it makes
// at start; nothing of it is committed.
//
//   GET  /.well-known/openid-configuration   the discovery document (issuer, jwks_uri)
//   GET  /.well-known/jwks                   the public key, kid "ci-key"
//   GET  /actions/token?audience=AUD         GitHub's request endpoint: with
//                                            `Authorization: bearer $ISSUER_REQUEST_TOKEN`,
//                                            answers {"value": "<jwt>"} with default claims
//   POST /mint {claims, key, audience}       a token with the default claims changed by
//                                            `claims` (null removes one), signed with `key`:
//                                            "issuer" (default), "impostor" (another key
//                                            under the same kid) or "none" (alg none)
//
// Prints "listening http://127.0.0.1:PORT" on its first line once it listens (PORT 0: any).
import http from 'node:http';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const consumers = process.env.SCANLEDGER_CONSUMERS;
if (!consumers) {
  console.error('SCANLEDGER_CONSUMERS is not set (scripts/install-consumers prints it)');
  process.exit(2);
}
const requireFrom = createRequire(path.join(consumers, 'node', 'package.json'));
const jose = await import(pathToFileURL(requireFrom.resolve('jose')).href);

const KID = 'ci-key';
const requestToken = process.env.ISSUER_REQUEST_TOKEN ?? '';
const signing = await jose.generateKeyPair('RS256', { extractable: true });
const impostor = await jose.generateKeyPair('RS256', { extractable: true });
const publicJwk = { ...(await jose.exportJWK(signing.publicKey)), kid: KID, alg: 'RS256', use: 'sig' };
let issuer = '';

// A push to main of acme/shop, as GitHub words it; valid for five minutes.
function defaultClaims(audience) {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: issuer,
    aud: audience,
    jti: randomUUID(),
    sub: 'repo:acme/shop:ref:refs/heads/main',
    repository: 'acme/shop',
    repository_owner: 'acme',
    ref: 'refs/heads/main',
    ref_type: 'branch',
    workflow: 'scan',
    iat: now,
    nbf: now,
    exp: now + 300,
  };
}

async function mint({ claims = {}, key = 'issuer', audience = 'scanledger' } = {}) {
  const payload = { ...defaultClaims(audience), ...claims };
  for (const [name, value] of Object.entries(payload)) {
    if (value === null) delete payload[name];
  }
  if (key === 'none') return new jose.UnsecuredJWT(payload).encode();
  const privateKey = key === 'impostor' ? impostor.privateKey : signing.privateKey;
  return new jose.SignJWT(payload)
    .setProtectedHeader({ alg: 'RS256', kid: KID, typ: 'JWT' })
    .sign(privateKey);
}

function json(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function body(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

const server = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, issuer);
    if (req.method === 'GET' && url.pathname === '/.well-known/openid-configuration') {
      return json(res, 200, {
        issuer,
        jwks_uri: `${issuer}/.well-known/jwks`,
        subject_types_supported: ['public', 'pairwise'],
        response_types_supported: ['id_token'],
        id_token_signing_alg_values_supported: ['RS256'],
        claims_supported: ['sub', 'aud', 'exp', 'iat', 'iss', 'jti', 'nbf', 'ref', 'repository'],
        scopes_supported: ['openid'],
      });
    }
    if (req.method === 'GET' && url.pathname === '/.well-known/jwks') {
      return json(res, 200, { keys: [publicJwk] });
    }
    if (req.method === 'GET' && url.pathname === '/actions/token') {
      const auth = req.headers.authorization ?? '';
      if (!requestToken || auth.toLowerCase() !== `bearer ${requestToken}`.toLowerCase()) {
        return json(res, 401, { message: 'Bad credentials' });
      }
      const audience = url.searchParams.get('audience') ?? 'https://github.com/acme';
      return json(res, 200, { count: 1, value: await mint({ audience }) });
    }
    if (req.method === 'POST' && url.pathname === '/mint') {
      const spec = JSON.parse((await body(req)) || '{}');
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      return res.end(await mint(spec));
    }
    return json(res, 404, { message: 'Not Found' });
  } catch (err) {
    return json(res, 500, { message: String(err) });
  }
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  issuer = `http://127.0.0.1:${server.address().port}`;
  process.stdout.write(`listening ${issuer}\n`);
});
