//! Turns at the database, handed out in arrival order.
//!
//! A handler's store work runs on a blocking thread (`web::block`), and that thread then waits
//! for a pooled connection. Under load dozens of threads wait on the pool at once, and the pool
//! is not fair: a thread that asks just as a connection comes back takes it ahead of the
//! threads woken for it, so some requests wait many turns (the findings list's p99 was three
//! times its mean at 50 clients). [`DbSlots`] gives out as many turns as the pool has
//! connections, first come first served, before a thread is taken; a request waiting for its
//! turn is a parked future, not a thread.

use actix_web::error::BlockingError;
use actix_web::web;

/// As many turns as the store has connections.
#[derive(Debug)]
pub struct DbSlots(tokio::sync::Semaphore);

impl DbSlots {
    pub fn new(connections: usize) -> DbSlots {
        DbSlots(tokio::sync::Semaphore::new(connections.max(1)))
    }

    /// `web::block(work)` when its turn comes: every handler runs its store work through here.
    pub async fn run<R: Send + 'static>(
        &self,
        work: impl FnOnce() -> R + Send + 'static,
    ) -> Result<R, BlockingError> {
        // Acquiring fails only on a closed semaphore, and this one is never closed.
        let _turn = self.0.acquire().await.ok();
        #[allow(clippy::disallowed_methods)] // the one place that may
        web::block(work).await
    }
}
