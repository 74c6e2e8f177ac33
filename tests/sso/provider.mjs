// A real OpenID provider for the SSO tests and bench: npm's certified `oidc-provider`.
//
//   node tests/sso/provider.mjs CONFIG.json
//
// CONFIG names the clients (id, secret, redirect URIs) and the accounts (id -> claims).
// It listens on a free loopback port and prints one JSON line, {"issuer": ...}, once ready.
//
// Sign-in is a tiny form of our own at /interaction/<uid> (one field, `login`: the
// account id; no password, it is a test provider); consent is granted on the spot for
// the scopes asked for (loadExistingGrant, the library's documented recipe for
// first-party clients). PKCE (S256) is required of every client.
//
// For the tests that need the provider to misbehave, POST /__test/mode with JSON
// {"audience": "...", "azp": "...", "shiftSeconds": -3600} makes every ID token from then on
// carry that audience (and authorized party), and/or have its iat and exp moved by that
// many seconds, re-signed with the provider's own key ({"forged": true}: with another key
// under the same key id); POST {} goes back to normal.

import { readFileSync } from 'node:fs';
import http from 'node:http';

import { exportJWK, generateKeyPair, SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));

// The provider keeps the clock of whoever started it (config.now: their time when they
// wrote the config, in seconds). The test suite may run on a clock set back near midnight
// (tests/conftest.py), and ID token times are checked against that clock, not the wall's.
if (typeof config.now === 'number') {
  const offset = config.now * 1000 - Date.now();
  if (Math.abs(offset) > 5000) {
    const wallClock = Date.now;
    Date.now = () => wallClock() + offset;
  }
}
const accounts = config.accounts;
let mode = {};

const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const signingKey = { ...(await exportJWK(privateKey)), kid: 'test-key', use: 'sig', alg: 'RS256' };

const server = http.createServer();
await new Promise((resolve) => { server.listen(0, '127.0.0.1', resolve); });
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: config.clients.map((client) => ({
    client_id: client.client_id,
    client_secret: client.client_secret,
    redirect_uris: client.redirect_uris,
    post_logout_redirect_uris: client.post_logout_redirect_uris || [],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  })),
  jwks: { keys: [signingKey] },
  cookies: { keys: ['a test provider, not a secret'] },
  pkce: { required: () => true },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'employee_id'],
  },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    if (!(id in accounts)) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...accounts[id] }) };
  },
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
  ttl: {
    AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600,
  },
});
provider.proxy = false;

// Mint the ID token as the provider does, then (in a test's mode) re-sign it with another
// audience or other times, with the provider's own key.
const issue = provider.IdToken.prototype.issue;
provider.IdToken.prototype.issue = async function issueInMode(options) {
  const token = await issue.call(this, options);
  if (options?.use !== 'idtoken' || Object.keys(mode).length === 0) return token;
  const claims = decodeJwt(token);
  if (mode.audience) claims.aud = mode.audience;
  if (mode.azp) claims.azp = mode.azp;
  if (mode.shiftSeconds) {
    claims.iat += mode.shiftSeconds;
    claims.exp += mode.shiftSeconds;
  }
  // A key that is not the provider's, under the provider's key id: a forged token.
  const key = mode.forged ? (await generateKeyPair('RS256')).privateKey : privateKey;
  return new SignJWT(claims).setProtectedHeader(decodeProtectedHeader(token)).sign(key);
};

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

provider.use(async (ctx, next) => {
  const match = ctx.path.match(/^\/interaction\/([\w-]+)$/);
  if (ctx.path === '/__test/mode' && ctx.method === 'POST') {
    let body = '';
    for await (const chunk of ctx.req) body += chunk;
    mode = JSON.parse(body || '{}');
    ctx.body = { mode };
    return;
  }
  if (!match) {
    await next();
    return;
  }
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (ctx.method === 'GET') {
    ctx.type = 'html';
    ctx.body = `<!doctype html><title>Test provider: sign in</title>
<form method="post" action="/interaction/${escapeHtml(match[1])}">
<p>Client: ${escapeHtml(details.params.client_id)} (${escapeHtml(details.prompt.name)})</p>
<label>Account <input name="login"></label><button>Sign in</button></form>`;
    return;
  }
  const form = await readForm(ctx.req);
  const login = form.get('login');
  if (!(login in accounts)) {
    await provider.interactionFinished(ctx.req, ctx.res, {
      error: 'access_denied', error_description: 'no such account',
    });
  } else {
    await provider.interactionFinished(ctx.req, ctx.res, { login: { accountId: login } });
  }
  ctx.respond = false;
});

server.on('request', provider.callback());
process.stdout.write(`${JSON.stringify({ issuer })}\n`);
