//! The ledger the verbs act on: the database, or a ScanLedger server over HTTP.

pub mod remote;
