//! Connections: accepting them within the caps, and cutting off the ones
//! that hold a slot without taking what they are sent.
//!
//! Takes the listening socket and the router; gives every accepted
//! connection a slot (at most [`MAX_CONNECTIONS`]; past that a quick 503),
//! a header timeout and a write timeout. A live-reload socket keeps its
//! connection's slot after the upgrade (see [`Slot`]). Out of file
//! descriptors, a spare one kept for the purpose lets the server still
//! answer 503 instead of leaving clients waiting. Never reads the site.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::{Extension, Router};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::{Diagnostic, Failure};

/// Slow clients get this long to send their request headers.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// A connection whose client takes none of what it is sent for this long is
/// closed (a client that pipelines requests and never reads would otherwise
/// hold its slot for ever).
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections served at once, live-reload sockets included. A browser tab
/// needs at most six plus its live-reload socket, so this leaves room for
/// many tabs and load tests. With [`MAX_REFUSALS`] it stays at the usual
/// limit of 1,024 open files; past it the spare descriptor answers 503.
/// Connections past it get a 503 and are closed.
pub const MAX_CONNECTIONS: usize = 768;
/// Connections past the cap being answered with a 503 at once; past this too
/// they are closed without an answer.
const MAX_REFUSALS: usize = 256;
/// A refused connection gets this long to take its 503.
const REFUSAL_TIMEOUT: Duration = Duration::from_secs(1);
/// Pause after a failed accept that the spare descriptor could not help
/// with, so the loop waits for connections to close instead of spinning.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);
/// Request line and headers together larger than this get a 431.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;

/// A connection's place under [`MAX_CONNECTIONS`], in every request's
/// extensions, so that a live-reload socket keeps it once upgraded (the
/// connection's own task ends at the upgrade).
#[derive(Clone)]
pub(crate) struct Slot(#[allow(dead_code)] Arc<OwnedSemaphorePermit>);

/// Accept and serve connections until Ctrl-C.
pub(crate) async fn accept_loop(
    listener: std::net::TcpListener,
    router: Router,
) -> Result<(), Failure> {
    let listener = tokio::net::TcpListener::from_std(listener)
        .map_err(|e| Diagnostic::usage(format!("cannot listen: {e}")))?;
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let refusals = Arc::new(Semaphore::new(MAX_REFUSALS));
    let spare = Arc::new(std::sync::Mutex::new(spare_descriptor()));
    let stop = tokio::signal::ctrl_c();
    tokio::pin!(stop);
    loop {
        keep_spare(&spare);
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = &mut stop => break,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(e) if out_of_descriptors(&e) && take_spare(&spare) => {
                // The spare's descriptor takes the waiting connection, to
                // tell it so; once it is answered the spare is kept again.
                if let Ok((stream, _)) = listener.accept().await {
                    let spare = Arc::clone(&spare);
                    tokio::spawn(async move {
                        refuse(stream).await;
                        keep_spare(&spare);
                    });
                }
                continue;
            }
            Err(_) => {
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        let Ok(permit) = Arc::clone(&slots).try_acquire_owned() else {
            if let Ok(refusal) = Arc::clone(&refusals).try_acquire_owned() {
                tokio::spawn(async move {
                    refuse(stream).await;
                    drop(refusal);
                });
            }
            continue;
        };
        serve_connection(stream, router.clone(), permit);
    }
    Ok(())
}

/// Serve one accepted connection on a task of its own, holding its slot.
fn serve_connection(stream: tokio::net::TcpStream, router: Router, permit: OwnedSemaphorePermit) {
    // Small responses otherwise wait for Nagle's algorithm: 24 ms per request.
    let _ = stream.set_nodelay(true);
    let service = TowerToHyperService::new(router.layer(Extension(Slot(Arc::new(permit)))));
    tokio::spawn(async move {
        let mut builder = hyper::server::conn::http1::Builder::new();
        // The header timeout also closes keep-alive connections idle that long.
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_READ_TIMEOUT)
            .max_header_size(MAX_HEAD_BYTES)
            .max_buf_size(MAX_HEAD_BYTES)
            .keep_alive(true);
        let io = TokioIo::new(WriteTimeout::new(stream, WRITE_TIMEOUT));
        let _ = builder.serve_connection(io, service).with_upgrades().await;
    });
}

/// A descriptor held in reserve for when the process runs out.
type Spare = Arc<std::sync::Mutex<Option<std::fs::File>>>;

fn spare_descriptor() -> Option<std::fs::File> {
    std::fs::File::open(if cfg!(windows) { "NUL" } else { "/dev/null" }).ok()
}

/// Hold the spare descriptor again, if it is not held and one is free.
fn keep_spare(spare: &Spare) {
    if let Ok(mut spare) = spare.lock()
        && spare.is_none()
    {
        *spare = spare_descriptor();
    }
}

/// Close the spare descriptor, so that one is free; whether there was one.
fn take_spare(spare: &Spare) -> bool {
    spare.lock().is_ok_and(|mut s| s.take().is_some())
}

/// EMFILE or ENFILE.
fn out_of_descriptors(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(23 | 24)) && cfg!(unix)
}

/// Answer a connection past [`MAX_CONNECTIONS`] with a 503 and close it.
async fn refuse(mut stream: tokio::net::TcpStream) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let text = "the preview server is at its connection limit; retry in a moment\n";
    let response = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\nx-content-type-options: nosniff\r\ncache-control: no-store\r\nretry-after: 1\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{text}",
        text.len()
    );
    let _ = tokio::time::timeout(REFUSAL_TIMEOUT, async {
        stream.write_all(response.as_bytes()).await?;
        stream.shutdown().await?;
        // Closing with the request unread would reset the connection and
        // could discard the answer before the client reads it.
        let mut sink = [0u8; 4096];
        while stream.read(&mut sink).await? > 0 {}
        Ok::<_, io::Error>(())
    })
    .await;
}

/// A stream whose writes fail once they have made no progress for
/// `timeout`; reads are as they were.
pub(crate) struct WriteTimeout<S> {
    inner: S,
    timeout: Duration,
    /// Set while a write waits; reset by every write that goes through.
    stalled: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl<S> WriteTimeout<S> {
    pub fn new(inner: S, timeout: Duration) -> Self {
        WriteTimeout {
            inner,
            timeout,
            stalled: None,
        }
    }

    /// `Pending` until the deadline of a write that waits passes, then the error.
    fn check<T>(&mut self, cx: &mut Context<'_>, poll: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        if poll.is_ready() {
            self.stalled = None;
            return poll;
        }
        let timeout = self.timeout;
        let stalled = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
        match stalled.as_mut().poll(cx) {
            Poll::Ready(()) => {
                self.stalled = None;
                Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the client took nothing of what it was sent",
                )))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for WriteTimeout<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for WriteTimeout<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.check(cx, poll)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.check(cx, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let poll = Pin::new(&mut self.inner).poll_flush(cx);
        self.check(cx, poll)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let poll = Pin::new(&mut self.inner).poll_shutdown(cx);
        self.check(cx, poll)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    #[test]
    fn a_write_that_makes_no_progress_times_out_and_one_that_does_not() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let (ours, mut theirs) = tokio::io::duplex(64);
            let mut stream = WriteTimeout::new(ours, Duration::from_millis(50));
            stream.write_all(&[0; 64]).await.unwrap();
            // The other end reads nothing: the next write waits, then fails.
            let err = stream.write_all(&[0; 1]).await.unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::TimedOut);
            // Reading makes room, and writes go through again.
            let mut sink = [0u8; 64];
            tokio::io::AsyncReadExt::read_exact(&mut theirs, &mut sink)
                .await
                .unwrap();
            stream.write_all(&[0; 64]).await.unwrap();
        });
    }
}
