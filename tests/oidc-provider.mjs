// A real OpenID provider for the web UI's sign-in tests (tests/tests/oidc.rs): npm's
// oidc-provider (pinned in scripts/install-consumers) on 127.0.0.1.
//
//   SCANLEDGER_CONSUMERS=... node tests/oidc-provider.mjs PORT REDIRECT_URI ACCOUNTS_JSON
//
// One confidential client, `scanledger` with secret `test-secret`, redirecting to REDIRECT_URI.
// ACCOUNTS_JSON is a file of accounts, read again at every sign-in so a test can change a
// user's groups between two sign-ins:
//   { "alice": { "groups": ["sec-auditors"], "amr": ["pwd", "otp"], "acr": "..." }, ... }
// The interaction is a plain form (user name only; no password: this is a test provider) that
// signs the account in with its `amr` and `acr` and grants the scopes asked for. Prints
// `listening <issuer>` once it serves.

import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

// The package is under the consumers' npm prefix (SCANLEDGER_CONSUMERS/node), which ES module
// resolution from this folder does not search: imported by its path.
const consumers = process.env.SCANLEDGER_CONSUMERS;
if (!consumers) {
  console.error('SCANLEDGER_CONSUMERS is not set (scripts/install-consumers prints it)');
  process.exit(2);
}
const { default: Provider } = await import(
  pathToFileURL(join(consumers, 'node', 'node_modules', 'oidc-provider', 'lib', 'index.js')).href
);

const [port, redirectUri, accountsFile] = process.argv.slice(2);
if (!port || !redirectUri || !accountsFile) {
  console.error('usage: oidc-provider.mjs PORT REDIRECT_URI ACCOUNTS_JSON');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;
const accounts = () => JSON.parse(readFileSync(accountsFile, 'utf8'));

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'scanledger',
    client_secret: 'test-secret',
    redirect_uris: [redirectUri],
    post_logout_redirect_uris: [new URL('/ui/login', redirectUri).toString()],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  // `amr` and `acr` reach ID tokens only as claims of a scope asked for: openid's here.
  claims: {
    openid: ['sub', 'amr', 'acr'],
    profile: ['preferred_username', 'name'],
    email: ['email'],
    groups: ['groups'],
  },
  // Claims of the scopes asked for go into the ID token, as Okta's and Keycloak's do.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    const account = accounts()[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, preferred_username: id, name: id, email: `${id}@example.test`, groups: account.groups || [] };
      },
    };
  },
});

const page = (uid) => `<!doctype html><html lang="en"><head><title>Test provider sign-in</title></head>
<body><main><h1>Test provider</h1>
<form method="post" action="/interaction/${uid}">
<label for="login">User</label> <input id="login" name="login" autofocus>
<button type="submit" id="sign-in">Sign in</button>
</form></main></body></html>`;

async function interaction(req, res, uid) {
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page(uid));
    return;
  }
  let body = '';
  for await (const chunk of req) body += chunk;
  const details = await provider.interactionDetails(req, res);
  const login = new URLSearchParams(body).get('login') || details.session?.accountId;
  const account = accounts()[login];
  if (!account) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page(uid).replace('<form', '<p role="alert">unknown user</p><form'));
    return;
  }
  const grant = new provider.Grant({ accountId: login, clientId: details.params.client_id });
  grant.addOIDCScope(details.params.scope);
  const result = {
    login: { accountId: login, amr: account.amr || ['pwd'], ...(account.acr ? { acr: account.acr } : {}), remember: false },
    consent: { grantId: await grant.save() },
  };
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
}

const callback = provider.callback();
createServer((req, res) => {
  const match = /^\/interaction\/([^/?]+)$/.exec(req.url.split('?')[0]);
  if (match) {
    interaction(req, res, match[1]).catch((e) => {
      res.writeHead(500);
      res.end(String(e));
    });
    return;
  }
  callback(req, res);
}).listen(Number(port), '127.0.0.1', () => console.log(`listening ${issuer}`));
