//! End-to-end tests: the `scanledger` binary as a server, talked to over real HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod behaviour;
mod browser;
mod ci;
mod consumers;
mod demo;
mod deploy;
mod oidc;
mod parity;
mod replicas;
mod schemathesis;
mod serve;
mod workload;
