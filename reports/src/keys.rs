//! The Ed25519 evidence key in every encoding an auditor's tools read, and the three
//! signatures over `SHA256SUMS` (raw Ed25519, SSHSIG, DSSE), with their verifiers.
//!
//! One 32-byte seed, one key, one fingerprint to pin. The encodings follow the
//! key formats in `docs/EVIDENCE.md`, each checked against `openssl pkeyutl -rawin`,
//! `ssh-keygen -Y verify` and securesystemslib:
//! - private key: PKCS#8 **v1** PEM (dalek's own v2 output is unreadable by OpenSSL 3.0);
//! - public key: SPKI PEM (`openssl`) and an OpenSSH line (`ssh-keygen`);
//! - key id: lowercase hex SHA-256 of the SPKI DER (the DSSE `keyid`);
//! - fingerprint: `SHA256:<base64>` as `ssh-keygen -l` prints it.

use crate::ReportError;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use ed25519_dalek::hazmat::{ExpandedSecretKey, raw_sign_byupdate};
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, KeypairBytes,
};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256, Sha512};

/// The SSHSIG namespace of evidence signatures (`ssh-keygen -Y verify -n`).
pub const SSH_NAMESPACE: &str = "scanledger-evidence";
/// The SSHSIG namespace of key rotation statements.
pub const ROTATION_NAMESPACE: &str = "scanledger-key-rotation";
/// The principal in `allowed_signers` and the OpenSSH key comment.
pub const PRINCIPAL: &str = "evidence@scanledger";
/// The DSSE payload type of an in-toto statement.
pub const DSSE_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// A private evidence key.
pub struct EvidenceKey {
    signing: SigningKey,
}

impl std::fmt::Debug for EvidenceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EvidenceKey")
            .field("fingerprint", &self.public().fingerprint())
            .finish_non_exhaustive()
    }
}

impl EvidenceKey {
    /// A new key from the operating system's random source.
    pub fn generate() -> Result<EvidenceKey, ReportError> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| ReportError::Key(format!("no randomness: {e}")))?;
        Ok(EvidenceKey::from_seed(&seed))
    }

    /// The key of a 32-byte seed (tests use fixed seeds for reproducible bundles).
    pub fn from_seed(seed: &[u8; 32]) -> EvidenceKey {
        EvidenceKey {
            signing: SigningKey::from_bytes(seed),
        }
    }

    /// Reads a PKCS#8 PEM private key (v1 or v2; also what `openssl genpkey -algorithm ed25519` writes).
    pub fn from_pkcs8_pem(pem: &str) -> Result<EvidenceKey, ReportError> {
        SigningKey::from_pkcs8_pem(pem.trim())
            .map(|signing| EvidenceKey { signing })
            .map_err(|e| ReportError::Key(format!("not an Ed25519 PKCS#8 private key: {e}")))
    }

    /// The private key as PKCS#8 v1 PEM, which OpenSSL 3.0 and Python `cryptography` read.
    pub fn to_pkcs8_pem(&self) -> Result<String, ReportError> {
        let pem = KeypairBytes {
            secret_key: self.signing.to_bytes(),
            public_key: None,
        }
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| ReportError::Key(e.to_string()))?;
        Ok(pem.to_string())
    }

    pub fn public(&self) -> PublicKey {
        PublicKey {
            verifying: self.signing.verifying_key(),
        }
    }

    /// Raw Ed25519 over the message (`openssl pkeyutl -verify -rawin`).
    pub fn sign_raw(&self, message: &[u8]) -> [u8; 64] {
        self.signing.sign(message).to_bytes()
    }

    /// An armored SSH signature (PROTOCOL.sshsig) over the message, hash sha512.
    pub fn sshsig(&self, namespace: &str, message: &[u8]) -> String {
        let signature = self.signing.sign(&sshsig_signed_data(namespace, message));
        let mut sig_blob = Vec::new();
        put_string(&mut sig_blob, b"ssh-ed25519");
        put_string(&mut sig_blob, &signature.to_bytes());
        let mut blob = b"SSHSIG".to_vec();
        blob.extend_from_slice(&1u32.to_be_bytes());
        put_string(&mut blob, &self.public().ssh_blob());
        put_string(&mut blob, namespace.as_bytes());
        put_string(&mut blob, b"");
        put_string(&mut blob, b"sha512");
        put_string(&mut blob, &sig_blob);
        armor(&blob)
    }

    /// The Ed25519 signature of a DSSE envelope over `payload`: over its pre-authentication
    /// encoding (PAE), as every DSSE verifier computes it.
    pub fn dsse_signature(&self, payload_type: &str, payload: &[u8]) -> [u8; 64] {
        self.signing
            .sign(&dsse_pae(payload_type, payload))
            .to_bytes()
    }

    /// The Ed25519 signature of a DSSE envelope over a payload too large to hold: the first
    /// `len` bytes of `payload`, read from its start twice (Ed25519 hashes the message twice).
    /// The same signature [`EvidenceKey::dsse_signature`] gives over those bytes.
    pub fn dsse_signature_of_file(
        &self,
        payload_type: &str,
        payload: &std::fs::File,
        len: u64,
    ) -> Result<[u8; 64], ReportError> {
        use std::io::{Read, Seek, SeekFrom};
        let header = format!("DSSEv1 {} {} {} ", payload_type.len(), payload_type, len);
        let failure: std::cell::RefCell<Option<std::io::Error>> = Default::default();
        let feed = |digest: &mut Sha512| {
            let mut read = || -> std::io::Result<()> {
                digest.update(header.as_bytes());
                let mut file = payload;
                file.seek(SeekFrom::Start(0))?;
                let mut buf = vec![0u8; 256 * 1024];
                let mut left = len;
                while left > 0 {
                    let want = buf.len().min(usize::try_from(left).unwrap_or(buf.len()));
                    let n = file.read(&mut buf[..want])?;
                    if n == 0 {
                        return Err(std::io::ErrorKind::UnexpectedEof.into());
                    }
                    digest.update(&buf[..n]);
                    left -= n as u64;
                }
                Ok(())
            };
            read().map_err(|e| {
                *failure.borrow_mut() = Some(e);
                ed25519_dalek::SignatureError::new()
            })
        };
        let expanded = ExpandedSecretKey::from(self.signing.as_bytes());
        let signed = raw_sign_byupdate::<Sha512, _>(&expanded, feed, &self.signing.verifying_key());
        match (signed, failure.into_inner()) {
            (_, Some(e)) => Err(ReportError::Io(e)),
            (Ok(signature), None) => Ok(signature.to_bytes()),
            (Err(e), None) => Err(ReportError::Key(format!("signing a DSSE payload: {e}"))),
        }
    }

    /// A DSSE envelope (JSON bytes) over `payload`, with this key's id.
    pub fn dsse_envelope(&self, payload_type: &str, payload: &[u8]) -> Vec<u8> {
        let signature = self.dsse_signature(payload_type, payload);
        let envelope =
            self.dsse_envelope_value(payload_type, &STANDARD.encode(payload), &signature);
        let mut bytes = serde_json::to_vec_pretty(&envelope).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }

    /// The DSSE envelope's JSON, its payload already in base64 (or a placeholder for it).
    pub(crate) fn dsse_envelope_value(
        &self,
        payload_type: &str,
        payload_base64: &str,
        signature: &[u8; 64],
    ) -> serde_json::Value {
        serde_json::json!({
            "payload": payload_base64,
            "payloadType": payload_type,
            "signatures": [{
                "keyid": self.public().key_id(),
                "sig": STANDARD.encode(signature),
            }],
        })
    }
}

/// A public evidence key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicKey {
    verifying: VerifyingKey,
}

impl PublicKey {
    /// Reads a public key: SPKI PEM (`-----BEGIN PUBLIC KEY-----`), an OpenSSH line
    /// (`ssh-ed25519 AAAA... comment`) or an `allowed_signers` line.
    pub fn parse(text: &str) -> Result<PublicKey, ReportError> {
        let text = text.trim();
        if text.starts_with("-----BEGIN PUBLIC KEY-----") {
            return VerifyingKey::from_public_key_pem(text)
                .map(|verifying| PublicKey { verifying })
                .map_err(|e| ReportError::Key(format!("not an Ed25519 public key: {e}")));
        }
        if text.starts_with("-----BEGIN PRIVATE KEY-----") {
            return Ok(EvidenceKey::from_pkcs8_pem(text)?.public());
        }
        let mut words = text.split_whitespace();
        while let Some(word) = words.next() {
            if word == "ssh-ed25519" {
                let b64 = words.next().unwrap_or_default();
                let blob = STANDARD
                    .decode(b64)
                    .map_err(|e| ReportError::Key(format!("bad OpenSSH key: {e}")))?;
                return PublicKey::from_ssh_blob(&blob);
            }
        }
        Err(ReportError::Key(
            "expected a PEM public key or an ssh-ed25519 line".into(),
        ))
    }

    fn from_ssh_blob(blob: &[u8]) -> Result<PublicKey, ReportError> {
        let mut reader = SshReader(blob);
        let kind = reader.string()?;
        let raw = reader.string()?;
        if kind != b"ssh-ed25519" || !reader.0.is_empty() {
            return Err(ReportError::Key("not an ssh-ed25519 key".into()));
        }
        let bytes: [u8; 32] = raw
            .try_into()
            .map_err(|_| ReportError::Key("Ed25519 keys are 32 bytes".into()))?;
        VerifyingKey::from_bytes(&bytes)
            .map(|verifying| PublicKey { verifying })
            .map_err(|e| ReportError::Key(e.to_string()))
    }

    /// SPKI PEM (`signing-key.pem`).
    pub fn to_pem(&self) -> String {
        self.verifying
            .to_public_key_pem(LineEnding::LF)
            .unwrap_or_default()
    }

    /// `ssh-ed25519 AAAA... evidence@scanledger` (`signing-key.pub`).
    pub fn to_openssh(&self) -> String {
        format!(
            "ssh-ed25519 {} {PRINCIPAL}",
            STANDARD.encode(self.ssh_blob())
        )
    }

    /// The `allowed_signers` line for `ssh-keygen -Y verify`.
    pub fn allowed_signers_line(&self) -> String {
        format!(
            "{PRINCIPAL} namespaces=\"{SSH_NAMESPACE}\" ssh-ed25519 {}",
            STANDARD.encode(self.ssh_blob())
        )
    }

    fn ssh_blob(&self) -> Vec<u8> {
        let mut blob = Vec::new();
        put_string(&mut blob, b"ssh-ed25519");
        put_string(&mut blob, self.verifying.as_bytes());
        blob
    }

    /// `SHA256:<base64>`, as `ssh-keygen -lf signing-key.pub` prints it.
    pub fn fingerprint(&self) -> String {
        format!(
            "SHA256:{}",
            STANDARD_NO_PAD.encode(Sha256::digest(self.ssh_blob()))
        )
    }

    /// Lowercase hex SHA-256 of the SPKI DER: the DSSE `keyid`, and what
    /// `openssl pkey -pubin -in signing-key.pem -outform DER | sha256sum` prints.
    pub fn key_id(&self) -> String {
        let der = self
            .verifying
            .to_public_key_der()
            .map(|d| d.as_bytes().to_vec())
            .unwrap_or_default();
        hex::encode(Sha256::digest(der))
    }

    /// Checks a raw 64-byte Ed25519 signature (strict: no malleable encodings).
    pub fn verify_raw(&self, message: &[u8], signature: &[u8]) -> Result<(), ReportError> {
        let bytes: [u8; 64] = signature
            .try_into()
            .map_err(|_| ReportError::Invalid("an Ed25519 signature is 64 bytes".into()))?;
        self.verifying
            .verify_strict(message, &Signature::from_bytes(&bytes))
            .map_err(|_| ReportError::Invalid("signature does not match".into()))
    }

    /// Checks an armored SSH signature: this key, this namespace, sha512, valid signature.
    pub fn verify_sshsig(
        &self,
        namespace: &str,
        message: &[u8],
        armored: &str,
    ) -> Result<(), ReportError> {
        let bad = |why: &str| ReportError::Invalid(format!("SSH signature: {why}"));
        let body: String = armored
            .trim()
            .strip_prefix("-----BEGIN SSH SIGNATURE-----")
            .and_then(|s| s.strip_suffix("-----END SSH SIGNATURE-----"))
            .ok_or_else(|| bad("not an armored SSH signature"))?
            .split_whitespace()
            .collect();
        let blob = STANDARD.decode(body).map_err(|_| bad("bad base64"))?;
        // Only the canonical armor: any other byte in the file is a change.
        if armor(&blob) != armored {
            return Err(bad("not in the canonical armor"));
        }
        let rest = blob
            .strip_prefix(b"SSHSIG")
            .ok_or_else(|| bad("no magic"))?;
        let (version, rest) = rest.split_at_checked(4).ok_or_else(|| bad("truncated"))?;
        if version != 1u32.to_be_bytes() {
            return Err(bad("unknown version"));
        }
        let mut reader = SshReader(rest);
        let public = reader.string()?;
        let ns = reader.string()?;
        let _reserved = reader.string()?;
        let hash = reader.string()?;
        let sig_blob = reader.string()?;
        if PublicKey::from_ssh_blob(public)? != *self {
            return Err(bad("made with another key"));
        }
        if ns != namespace.as_bytes() {
            return Err(bad("wrong namespace"));
        }
        if hash != b"sha512" {
            return Err(bad("unexpected hash algorithm"));
        }
        let mut sig_reader = SshReader(sig_blob);
        if sig_reader.string()? != b"ssh-ed25519" {
            return Err(bad("not an Ed25519 signature"));
        }
        let signature = sig_reader.string()?;
        self.verify_raw(&sshsig_signed_data(namespace, message), signature)
            .map_err(|_| bad("signature does not match"))
    }

    /// Checks a DSSE envelope signed by this key; returns the payload type and payload.
    pub fn verify_dsse(&self, envelope: &[u8]) -> Result<(String, Vec<u8>), ReportError> {
        let bad = |why: String| ReportError::Invalid(format!("DSSE envelope: {why}"));
        let value: serde_json::Value =
            serde_json::from_slice(envelope).map_err(|e| bad(e.to_string()))?;
        let payload_type = value["payloadType"]
            .as_str()
            .ok_or_else(|| bad("no payloadType".into()))?;
        let payload = STANDARD
            .decode(value["payload"].as_str().unwrap_or_default())
            .map_err(|e| bad(format!("payload: {e}")))?;
        let signatures = value["signatures"]
            .as_array()
            .ok_or_else(|| bad("no signatures".into()))?;
        let pae = dsse_pae(payload_type, &payload);
        let ours = self.key_id();
        let ok = signatures.iter().any(|s| {
            s["keyid"].as_str() == Some(ours.as_str())
                && STANDARD
                    .decode(s["sig"].as_str().unwrap_or_default())
                    .is_ok_and(|sig| self.verify_raw(&pae, &sig).is_ok())
        });
        if !ok {
            return Err(bad("no valid signature by this key".into()));
        }
        Ok((payload_type.to_string(), payload))
    }
}

/// The armored form of an SSHSIG blob, as `ssh-keygen -Y sign` writes it (70 columns).
fn armor(blob: &[u8]) -> String {
    let encoded = STANDARD.encode(blob);
    let mut out = String::from("-----BEGIN SSH SIGNATURE-----\n");
    for line in encoded.as_bytes().chunks(70) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str("-----END SSH SIGNATURE-----\n");
    out
}

/// What SSHSIG signs: magic, namespace, reserved, hash algorithm, H(message).
fn sshsig_signed_data(namespace: &str, message: &[u8]) -> Vec<u8> {
    let mut data = b"SSHSIG".to_vec();
    put_string(&mut data, namespace.as_bytes());
    put_string(&mut data, b"");
    put_string(&mut data, b"sha512");
    put_string(&mut data, &Sha512::digest(message));
    data
}

/// DSSE v1 pre-authentication encoding.
pub fn dsse_pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out
}

fn put_string(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
    out.extend_from_slice(bytes);
}

struct SshReader<'a>(&'a [u8]);

impl<'a> SshReader<'a> {
    fn string(&mut self) -> Result<&'a [u8], ReportError> {
        let truncated = || ReportError::Invalid("SSH encoding is truncated".into());
        let (len, rest) = self.0.split_at_checked(4).ok_or_else(truncated)?;
        let len = u32::from_be_bytes([len[0], len[1], len[2], len[3]]) as usize;
        let (value, rest) = rest.split_at_checked(len).ok_or_else(truncated)?;
        self.0 = rest;
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn signatures_verify_and_reject_tampering() {
        let key = EvidenceKey::from_seed(&[7u8; 32]);
        let public = key.public();
        let msg = b"abc  file\n";
        public.verify_raw(msg, &key.sign_raw(msg)).unwrap();
        assert!(
            public
                .verify_raw(b"abd  file\n", &key.sign_raw(msg))
                .is_err()
        );
        let sig = key.sshsig(SSH_NAMESPACE, msg);
        public.verify_sshsig(SSH_NAMESPACE, msg, &sig).unwrap();
        assert!(public.verify_sshsig("other", msg, &sig).is_err());
        assert!(public.verify_sshsig(SSH_NAMESPACE, b"x", &sig).is_err());
        let env = key.dsse_envelope(DSSE_PAYLOAD_TYPE, b"{}");
        assert_eq!(public.verify_dsse(&env).unwrap().1, b"{}");
        let other = EvidenceKey::from_seed(&[8u8; 32]).public();
        assert!(other.verify_dsse(&env).is_err());
    }

    #[test]
    fn a_payload_signed_from_a_file_has_the_signature_of_its_bytes() {
        use std::io::Write;
        let key = EvidenceKey::from_seed(&[7u8; 32]);
        // Larger than the read buffer, so the file is read in several pieces, twice.
        let payload: Vec<u8> = (0..700_000u32).map(|i| (i % 251) as u8).collect();
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(&payload).unwrap();
        file.write_all(b"bytes past the payload are not signed")
            .unwrap();
        let len = payload.len() as u64;
        let streamed = key
            .dsse_signature_of_file(DSSE_PAYLOAD_TYPE, &file, len)
            .unwrap();
        assert_eq!(streamed, key.dsse_signature(DSSE_PAYLOAD_TYPE, &payload));
        let short = key.dsse_signature_of_file(DSSE_PAYLOAD_TYPE, &file, len + 1_000_000);
        assert!(matches!(short, Err(ReportError::Io(_))), "{short:?}");
    }

    #[test]
    fn encodings_round_trip() {
        let key = EvidenceKey::from_seed(&[9u8; 32]);
        let pem = key.to_pkcs8_pem().unwrap();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
        let again = EvidenceKey::from_pkcs8_pem(&pem).unwrap();
        assert_eq!(again.public(), key.public());
        assert_eq!(
            PublicKey::parse(&key.public().to_pem()).unwrap(),
            key.public()
        );
        assert_eq!(
            PublicKey::parse(&key.public().to_openssh()).unwrap(),
            key.public()
        );
        assert_eq!(
            PublicKey::parse(&key.public().allowed_signers_line()).unwrap(),
            key.public()
        );
        assert!(key.public().fingerprint().starts_with("SHA256:"));
        assert_eq!(key.public().key_id().len(), 64);
    }
}

/// A public key as it is published: what `scanledger key show` prints and the API's
/// `GET /api/v1/key` answers. Never the private part.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublishedKey {
    /// `SHA256:<base64>`, as `ssh-keygen -l` prints it.
    pub fingerprint: String,
    /// Lowercase hex SHA-256 of the SPKI public key.
    pub key_id: String,
    /// The OpenSSH line.
    pub public_key: String,
}

impl PublishedKey {
    pub fn of(public: &PublicKey) -> PublishedKey {
        PublishedKey {
            fingerprint: public.fingerprint(),
            key_id: public.key_id(),
            public_key: public.to_openssh(),
        }
    }
}

/// A key rotated out: old bundles still verify with it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetiredKey {
    pub fingerprint: String,
    /// Where its public key is kept (in the key folder's `retired/`).
    pub path: String,
}

/// The signing key in use and the keys it replaced, public parts only.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyRing {
    pub current: PublishedKey,
    pub retired: Vec<RetiredKey>,
}
