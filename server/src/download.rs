//! Responses that blocking code writes and the client receives as they are written: bundles
//! and reports. The writer runs on a blocking thread and hands its bytes to the response body
//! in chunks of [`CHUNK`] bytes through a channel that holds at most [`CHUNKS_IN_FLIGHT`] of
//! them, so a response of any size costs about a megabyte of memory, and a slow client slows
//! the writer down instead of piling bytes up.
//!
//! The writer gets no database turn: the handlers first read what they send from the store in
//! a turn (a stored bundle spooled to a temporary file, a release snapshot), and only then
//! start writing, so a slow download never holds the database.
//!
//! A failure before the first byte is an ordinary error answer (500, logged); a failure later
//! cuts the response off, which the client sees as a truncated body (the CLI then keeps no
//! partial file).

use crate::error::ApiError;
use actix_web::web::Bytes;
use futures_util::{Stream, StreamExt};
use std::io::{self, Write};
use tokio::sync::mpsc;

/// Bytes per chunk sent to the client.
pub const CHUNK: usize = 64 * 1024;
/// Chunks written and not yet sent, at most.
pub const CHUNKS_IN_FLIGHT: usize = 16;

type Chunk = io::Result<Bytes>;

/// A writer whose bytes go to a response body, a chunk at a time.
struct ChunkWriter {
    tx: mpsc::Sender<Chunk>,
    buf: Vec<u8>,
}

impl ChunkWriter {
    fn send(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
        self.tx
            .blocking_send(Ok(Bytes::from(chunk)))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client went away"))
    }
}

impl Write for ChunkWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let room = CHUNK - self.buf.len();
        let taken = data.len().min(room);
        self.buf.extend_from_slice(&data[..taken]);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(taken)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}

/// Runs `write` on a blocking thread and streams what it writes. Answers once the first chunk
/// is there (or the writer finished without writing any), so a writer that fails before
/// writing anything gives a 500 rather than an empty 200. `what` names the response in logs.
pub async fn stream<E: std::fmt::Display + Send + 'static>(
    what: &'static str,
    write: impl FnOnce(&mut dyn Write) -> Result<(), E> + Send + 'static,
) -> Result<impl Stream<Item = Chunk> + 'static, ApiError> {
    let (tx, mut rx) = mpsc::channel::<Chunk>(CHUNKS_IN_FLIGHT);
    // Not a database turn (`DbSlots::run`): this writes what was read from the store already.
    drop(actix_web::rt::task::spawn_blocking(move || {
        let mut out = ChunkWriter {
            tx: tx.clone(),
            buf: Vec::with_capacity(CHUNK),
        };
        let written = write(&mut out).map_err(|e| e.to_string());
        let result = written.and_then(|()| out.flush().map_err(|e| e.to_string()));
        if let Err(error) = result {
            tracing::error!(what, %error, "writing a streamed response");
            // The client is told by a cut-off body; there is nobody to tell if it went away.
            let _ = tx.blocking_send(Err(io::Error::other(format!("{what} failed"))));
        }
    }));
    let first = match rx.recv().await {
        Some(Err(_)) => return Err(ApiError::internal()),
        first => first,
    };
    let rest = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    });
    Ok(futures_util::stream::iter(first).chain(rest))
}
