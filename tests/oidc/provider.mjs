// A real OpenID Connect provider for the tests: panva's oidc-provider (OpenID Certified) on
// 127.0.0.1. Its development interactions stand in for a login page: posting `login=<sub>`
// signs that account in, posting `prompt=consent` grants what the client asked for.
//
//   PORT      the port to listen on
//   CLIENTS   JSON list of clients ({client_id, client_secret, redirect_uris, ...})
//   ACCOUNTS  JSON object: sub -> the claims the provider releases (email, groups, ...)
//   CLAIMS    JSON list of extra claim names released with the `profile` scope (default [])
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const clients = JSON.parse(process.env.CLIENTS || '[]');
const accounts = JSON.parse(process.env.ACCOUNTS || '{}');
const extra = JSON.parse(process.env.CLAIMS || '[]');
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients,
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', ...extra],
  },
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => true },
  // The ID token carries the claims, so the client needs no userinfo round trip.
  conformIdTokenClaims: false,
  findAccount: async (ctx, sub) => {
    if (!Object.hasOwn(accounts, sub)) return undefined;
    return { accountId: sub, claims: async () => ({ sub, ...accounts[sub] }) };
  },
  cookies: { keys: ['crier-test-only-cookie-key'] },
  ttl: { Session: 3600, Interaction: 600, Grant: 3600, AccessToken: 600, IdToken: 600 },
});
provider.proxy = false;
// Plain HTTP on 127.0.0.1: the provider's cookies must not demand TLS.
provider.on('server_error', (ctx, err) => console.error('server_error', err));

provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening at ${issuer}`);
});
