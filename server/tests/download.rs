//! A streamed download ([`server::download`]) whose writer fails after it has sent bytes,
//! over a real socket: the client sees a broken transfer (the chunked body never ends), not a
//! short file presented as complete, and the server goes on serving.

use actix_web::{App, HttpResponse, HttpServer, web};
use server::download::{CHUNK, stream};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};

/// Three chunks of `x`, then the writer fails (a disk gone, a bundle unreadable).
async fn broken() -> Result<HttpResponse, server::error::ApiError> {
    let body = stream("test download", |out| {
        out.write_all(&vec![b'x'; 3 * CHUNK])?;
        Err(std::io::Error::other("the source failed mid-way"))
    })
    .await?;
    Ok(HttpResponse::Ok().streaming(body))
}

/// Three chunks of `x`, written whole.
async fn whole() -> Result<HttpResponse, server::error::ApiError> {
    let body = stream("test download", |out| {
        out.write_all(&vec![b'x'; 3 * CHUNK])?;
        Ok::<(), std::io::Error>(())
    })
    .await?;
    Ok(HttpResponse::Ok().streaming(body))
}

/// A GET over a socket of its own; everything the server sent before it closed.
fn raw_get(addr: SocketAddr, path: &str) -> Vec<u8> {
    let mut socket = TcpStream::connect(addr).expect("connect");
    socket
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .expect("timeout");
    write!(
        socket,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("send the request");
    let mut received = Vec::new();
    let mut buf = [0u8; 64 * 1024];
    loop {
        match socket.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => received.extend_from_slice(&buf[..n]),
            // A reset is how some stacks say the server cut the transfer: what came is kept.
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(e) => panic!("reading {path}: {e}"),
        }
    }
    received
}

/// Whether a chunked HTTP/1.1 response ended as a complete one does: with its last chunk.
fn complete(response: &[u8]) -> bool {
    response.ends_with(b"\r\n0\r\n\r\n")
}

#[actix_web::test]
async fn a_download_failing_mid_stream_is_a_broken_transfer_and_the_server_goes_on() {
    let server = HttpServer::new(|| {
        App::new()
            .route("/broken", web::get().to(broken))
            .route("/whole", web::get().to(whole))
    })
    .workers(1)
    .bind("127.0.0.1:0")
    .expect("bind");
    let addr = server.addrs()[0];
    let running = server.run();
    let handle = running.handle();
    actix_web::rt::spawn(running);

    let get = |path: &'static str| actix_web::rt::task::spawn_blocking(move || raw_get(addr, path));
    let cut = get("/broken").await.expect("the client ran");
    let head = String::from_utf8_lossy(&cut[..cut.len().min(200)]).to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(head.contains("transfer-encoding: chunked"), "{head}");
    assert!(
        cut.len() > CHUNK,
        "the first chunks were not sent before the failure"
    );
    assert!(
        !complete(&cut),
        "a download that failed mid-way ended like a complete one"
    );

    for _ in 0..2 {
        let sent = get("/whole").await.expect("the client ran");
        assert!(sent.starts_with(b"HTTP/1.1 200"));
        assert!(
            complete(&sent),
            "the server stopped serving after a failed download"
        );
        let xs = sent.iter().filter(|&&b| b == b'x').count();
        assert_eq!(xs, 3 * CHUNK);
    }
    handle.stop(true).await;
}
