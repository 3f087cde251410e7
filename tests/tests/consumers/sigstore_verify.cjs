// Verifies Sigstore bundles (v0.3, DSSE) with @sigstore/verify, the verifier of sigstore-js
// (what `npm audit signatures` and sigstore's JavaScript clients build on), trusting one
// public key and nothing else: no transparency log, no certificate authority, no timestamp
// authority, so every threshold is 0 and the trusted root is empty.
//
//   node sigstore_verify.cjs PUBLIC-KEY.pem BUNDLE.sigstore.json...
//
// NODE_PATH must hold the node_modules that scripts/install-consumers filled. Prints one line
// per bundle; exits 1 when any fails to verify.
'use strict';
const fs = require('fs');
const crypto = require('crypto');
const { bundleFromJSON } = require('@sigstore/bundle');
const { Verifier, toSignedEntity, toTrustMaterial } = require('@sigstore/verify');

const [pemPath, ...bundles] = process.argv.slice(2);
const key = crypto.createPublicKey(fs.readFileSync(pemPath));
// The key id the bundles' hint names: hex SHA-256 of the SPKI DER (docs/EVIDENCE.md "Keys").
const keyId = crypto
  .createHash('sha256')
  .update(key.export({ type: 'spki', format: 'der' }))
  .digest('hex');
const emptyRoot = {
  mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
  tlogs: [],
  certificateAuthorities: [],
  ctlogs: [],
  timestampAuthorities: [],
};
const trust = toTrustMaterial(emptyRoot, (hint) => {
  if (hint !== keyId) {
    throw new Error(`no trusted key with hint ${hint}`);
  }
  return { publicKey: key, validFor: () => true };
});
const verifier = new Verifier(trust, {
  tlogThreshold: 0,
  ctlogThreshold: 0,
  timestampThreshold: 0,
});

let failed = 0;
for (const path of bundles) {
  try {
    const bundle = bundleFromJSON(JSON.parse(fs.readFileSync(path, 'utf8')));
    verifier.verify(toSignedEntity(bundle));
    const statement = JSON.parse(Buffer.from(bundle.content.dsseEnvelope.payload).toString('utf8'));
    console.log(`${path}: verified (${statement.predicateType})`);
  } catch (e) {
    console.log(`${path}: FAILED: ${e.message}`);
    failed += 1;
  }
}
process.exit(failed ? 1 : 0);
