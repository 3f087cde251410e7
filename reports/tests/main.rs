//! The reports crate's single integration-test binary: bundles (determinism, signatures,
//! tampering, the standard tools) and the renderings.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod attest;
mod audit_pack;
mod bundle;
mod controls;
mod oscal;
mod render;
mod support;
mod vex;
