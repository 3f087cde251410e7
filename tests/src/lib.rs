//! End-to-end tests live in `tests/`; this library is empty on purpose. The tests drive the
//! real `scanledger` binary (built by cargo for this workspace) against real databases.
