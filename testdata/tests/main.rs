//! The testdata crate's single integration-test binary: the generators' contract (every format
//! detected as itself, exact counts, determinism), the plausibility of their text, and the
//! fuzz targets' short run.

// Tests may panic on purpose: `unwrap`/`expect` are denied in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod fuzz;
mod plausible;
mod synthetic;
