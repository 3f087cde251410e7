"""Verifies DSSE envelopes with securesystemslib (the DSSE and key library of in-toto and
python-tuf), trusting one Ed25519 public key.

    python dsse_verify.py PUBLIC-KEY.pem ENVELOPE.dsse.json...

The key's id is what the envelopes' `keyid` names: hex SHA-256 of the SPKI DER (docs/EVIDENCE.md
"Keys"). Prints one line per envelope; exits 1 when any fails to verify.
"""

import hashlib
import json
import sys

from cryptography.hazmat.primitives import serialization
from securesystemslib.dsse import Envelope
from securesystemslib.signer import SSlibKey

public = serialization.load_pem_public_key(open(sys.argv[1], "rb").read())
der = public.public_bytes(
    serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
)
key = SSlibKey.from_crypto(public, keyid=hashlib.sha256(der).hexdigest())

failed = 0
for path in sys.argv[2:]:
    try:
        envelope = Envelope.from_dict(json.load(open(path)))
        envelope.verify([key], 1)
        statement = json.loads(envelope.payload)
        print(f"{path}: verified ({statement['predicateType']})")
    except Exception as e:  # every failure is a verdict here
        print(f"{path}: FAILED: {type(e).__name__}: {e}")
        failed += 1
sys.exit(1 if failed else 0)
