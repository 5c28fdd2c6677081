// A real OpenID Connect provider for the OIDC browser tests: panva's oidc-provider (a certified implementation),
// configured like Microsoft Entra ID where the portal cares: the ID token carries tid, oid, email, name and
// preferred_username, and an account's groups and app roles (the groups and roles claims) when it has them, or Entra's
// groups overage instead (_claim_names and _claim_sources naming where the groups would be); PKCE is required; the
// client authenticates with a secret in the token request body.
//
// Configured by the test fixture through the environment (nothing here is a real secret):
//   OIDC_TEST_PORT            the port to listen on (127.0.0.1)
//   OIDC_TEST_CLIENT_ID       the portal's client id
//   OIDC_TEST_CLIENT_SECRET   its secret, made up by the fixture
//   OIDC_TEST_REDIRECT_URI    the portal's callback URL
//   OIDC_TEST_ACCOUNTS        JSON: {"<login>": {<claims>}}; the login page takes any password for these logins
//   OIDC_TEST_ACCOUNTS_FILE   or a file holding that JSON, read at every sign-in (a test changes someone's groups)
// The signing key is generated at start, so no key is ever stored. Prints "ready <issuer>" once it listens.
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';

import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_TEST_PORT);
const issuer = `http://127.0.0.1:${port}`;
const accountsFile = process.env.OIDC_TEST_ACCOUNTS_FILE;
const accounts = () =>
  JSON.parse(accountsFile ? readFileSync(accountsFile, 'utf8') : process.env.OIDC_TEST_ACCOUNTS || '{}');
const signingKey = {
  ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
  kid: 'test-signing-key',
  use: 'sig',
  alg: 'RS256',
};

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: process.env.OIDC_TEST_CLIENT_ID,
      client_secret: process.env.OIDC_TEST_CLIENT_SECRET,
      redirect_uris: [process.env.OIDC_TEST_REDIRECT_URI],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
    },
  ],
  jwks: { keys: [signingKey] },
  // Entra ID puts the user's claims in the ID token; so does this provider. An account's _claim_names and
  // _claim_sources go along with the claim they name (oidc-provider's aggregated and distributed claims).
  conformIdTokenClaims: false,
  claims: {
    openid: ['sub', 'tid', 'oid', 'groups', 'roles'],
    email: ['email'],
    profile: ['name', 'preferred_username'],
  },
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, login) {
    const claims = accounts()[login];
    if (!claims) return undefined;
    return { accountId: login, claims: async () => ({ sub: login, ...claims }) };
  },
});
// Its development warnings (the built-in login page) would be noise in the test output.
provider.on('server_error', (ctx, error) => console.error('server_error', error));

provider.listen(port, '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
