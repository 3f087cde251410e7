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

/// What a handler needs to work on the store: the store and the turns at it, taken from the
/// app's data as one extractor.
pub struct Db {
    store: web::Data<schema::Store>,
    slots: web::Data<DbSlots>,
}

impl Db {
    /// Runs `op` on the store when its turn comes, on a blocking thread.
    pub async fn run<T: Send + 'static>(
        &self,
        op: impl FnOnce(&schema::Store) -> Result<T, schema::StoreError> + Send + 'static,
    ) -> Result<T, crate::error::ApiError> {
        let store = self.store.clone();
        Ok(self.slots.run(move || op(&store)).await??)
    }

    /// [`Db::run`], answered as JSON with 200.
    pub async fn json<T: serde::Serialize + Send + 'static>(
        &self,
        op: impl FnOnce(&schema::Store) -> Result<T, schema::StoreError> + Send + 'static,
    ) -> Result<actix_web::HttpResponse, crate::error::ApiError> {
        let value = self.run(op).await?;
        Ok(actix_web::HttpResponse::Ok().json(value))
    }
}

impl actix_web::FromRequest for Db {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<Db, actix_web::Error>>;

    fn from_request(req: &actix_web::HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let db = req
            .app_data::<web::Data<schema::Store>>()
            .cloned()
            .zip(req.app_data::<web::Data<DbSlots>>().cloned())
            .map(|(store, slots)| Db { store, slots })
            .ok_or_else(|| crate::error::ApiError::internal().into());
        std::future::ready(db)
    }
}
