//! The Docker daemon: where it is (`DOCKER_HOST` as Docker's CLI reads it), the Engine API
//! version both sides speak, and the streamed `/build` request.
//!
//! Typed calls go through bollard (version negotiation, `/version`, image inspection). The
//! `/build` response is read here, line by line: BuildKit's progress comes as
//! `{"id":"moby.buildkit.trace","aux":"<base64 protobuf>"}` lines, which bollard 0.21 decodes
//! only with its gRPC `buildkit` feature, and that feature insists on an interactive session
//! the daemon does not need when the context is sent as the request's tar body.

pub(crate) mod pack;
pub(crate) mod progress;
pub(crate) mod snapshot;
pub(crate) mod verify;

use std::path::PathBuf;

use bollard::Docker;
use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;

/// Where the daemon listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Host {
    Unix(PathBuf),
    /// `tcp://HOST:PORT`, with TLS when `DOCKER_TLS_VERIFY` is set: the directory holding
    /// `ca.pem`, `cert.pem` and `key.pem` (`DOCKER_CERT_PATH`, or `~/.docker`).
    Tcp(String, Option<PathBuf>),
}

pub(crate) const DEFAULT_HOST: &str = "unix:///var/run/docker.sock";

impl Host {
    /// `DOCKER_HOST`, or the default socket.
    pub(crate) fn from_env() -> Result<(Self, String), String> {
        let text = std::env::var("DOCKER_HOST").ok().filter(|h| !h.is_empty()).unwrap_or_else(|| DEFAULT_HOST.into());
        Ok((Self::parse(&text)?, text))
    }

    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        if let Some(path) = text.strip_prefix("unix://") {
            return Ok(Self::Unix(PathBuf::from(path)));
        }
        if let Some(rest) = text.strip_prefix("tcp://").or_else(|| text.strip_prefix("http://")) {
            // As Docker's CLI: TLS with DOCKER_TLS_VERIFY, certificates from DOCKER_CERT_PATH.
            let tls = std::env::var_os("DOCKER_TLS_VERIFY").filter(|v| !v.is_empty()).map(|_| {
                std::env::var_os("DOCKER_CERT_PATH").filter(|v| !v.is_empty()).map_or_else(
                    || PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".docker"),
                    PathBuf::from,
                )
            });
            let authority = rest.trim_end_matches('/');
            let authority = if authority.rsplit_once(':').is_some_and(|(_, p)| p.parse::<u16>().is_ok()) {
                authority.to_string()
            } else {
                format!("{authority}:2375")
            };
            return Ok(Self::Tcp(authority, tls));
        }
        Err(format!(
            "DOCKER_HOST={text}: stagecraft speaks to a daemon over unix:// or tcp:// (ssh:// and npipe:// are not supported)"
        ))
    }
}

/// What to do when no daemon answers.
pub(crate) fn unreachable(host: &str, err: &dyn std::fmt::Display) -> String {
    let text = err.to_string();
    if text.contains("HTTPS server") {
        return format!(
            "cannot reach the Docker daemon at {host}: {text}\n  \
             The daemon speaks TLS: set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH to the directory of ca.pem, cert.pem and key.pem."
        );
    }
    format!(
        "cannot reach the Docker daemon at {host}: {err}\n  \
         Is it running? Start it (`sudo systemctl start docker`, or `sudo dockerd &`), or point DOCKER_HOST at one \
         (e.g. DOCKER_HOST=tcp://host:2375)."
    )
}

/// The daemon, with the API version both sides speak.
pub(crate) struct Daemon {
    pub(crate) host: Host,
    pub(crate) host_text: String,
    pub(crate) docker: Docker,
    /// `major.minor`, negotiated.
    pub(crate) api: (usize, usize),
    pub(crate) os: String,
    pub(crate) version: String,
}

/// The oldest Engine API this client supports (Docker 20.10).
const MIN_API: (usize, usize) = (1, 41);

pub(crate) async fn connect() -> Result<Daemon, String> {
    let (host, host_text) = Host::from_env()?;
    let docker = Docker::connect_with_defaults().map_err(|e| unreachable(&host_text, &e))?;
    let docker = docker.negotiate_version().await.map_err(|e| unreachable(&host_text, &e))?;
    let version = docker.version().await.map_err(|e| unreachable(&host_text, &e))?;
    let client = docker.client_version();
    let api = (client.major_version, client.minor_version);
    if api < MIN_API {
        return Err(format!(
            "the Docker daemon at {host_text} speaks Engine API {}.{}; stagecraft needs {}.{} (Docker 20.10) or newer",
            api.0, api.1, MIN_API.0, MIN_API.1
        ));
    }
    Ok(Daemon {
        host,
        host_text,
        docker,
        api,
        os: version.os.unwrap_or_default(),
        version: version.version.unwrap_or_default(),
    })
}

impl Daemon {
    /// Linux daemons since Docker 18.09 carry BuildKit and serve it through `/build?version=2`.
    pub(crate) fn has_buildkit(&self) -> bool {
        self.os == "linux"
    }

    /// `POST /build` with `query` and the context streamed from `body`; the response body's
    /// JSON lines as they come.
    pub(crate) async fn build(
        &self,
        query: &[(&str, String)],
        body: impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static,
    ) -> Result<impl Stream<Item = Result<Bytes, String>>, String> {
        let query = serde_urlencoded::to_string(query).map_err(|e| e.to_string())?;
        let uri = format!("/v{}.{}/build?{query}", self.api.0, self.api.1);
        let body = StreamBody::new(body.map(|chunk| chunk.map(Frame::data)));
        let request = hyper::Request::post(uri)
            .header(hyper::header::HOST, "docker")
            .header(hyper::header::CONTENT_TYPE, "application/x-tar")
            .body(body)
            .map_err(|e| e.to_string())?;
        let host = self.host_text.clone();
        let response = match &self.host {
            Host::Unix(path) => {
                let io = tokio::net::UnixStream::connect(path).await.map_err(|e| unreachable(&host, &e))?;
                send(io, request).await
            }
            Host::Tcp(authority, None) => {
                let io = tokio::net::TcpStream::connect(authority).await.map_err(|e| unreachable(&host, &e))?;
                send(io, request).await
            }
            Host::Tcp(authority, Some(certs)) => {
                let connector = tls_connector(certs)?;
                let name = authority.rsplit_once(':').map_or(authority.as_str(), |(h, _)| h);
                let name = rustls_pki_types::ServerName::try_from(name.trim_matches(['[', ']']).to_string())
                    .map_err(|e| format!("DOCKER_HOST={host}: {e}"))?;
                let tcp = tokio::net::TcpStream::connect(authority).await.map_err(|e| unreachable(&host, &e))?;
                let io = connector.connect(name, tcp).await.map_err(|e| unreachable(&host, &e))?;
                send(io, request).await
            }
        }
        .map_err(|e| format!("the Docker daemon at {host}: {e}"))?;
        let status = response.status();
        let mut body = response.into_body();
        if !status.is_success() {
            let bytes = body.collect().await.map(http_body_util::Collected::to_bytes).unwrap_or_default();
            let message = serde_json::from_slice::<serde_json::Value>(&bytes)
                .ok()
                .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(str::to_string))
                .unwrap_or_else(|| String::from_utf8_lossy(&bytes).trim().to_string());
            return Err(format!("the Docker daemon refused the build ({status}): {message}"));
        }
        Ok(async_stream(move |tx| async move {
            let mut pending = Vec::new();
            while let Some(frame) = body.frame().await {
                match frame {
                    Ok(frame) => {
                        if let Ok(data) = frame.into_data() {
                            pending.extend_from_slice(&data);
                            while let Some(at) = pending.iter().position(|&b| b == b'\n') {
                                let line: Vec<u8> = pending.drain(..=at).collect();
                                if tx.send(Ok(Bytes::from(line))).await.is_err() {
                                    return;
                                }
                            }
                        }
                    }
                    Err(e) => {
                        let _ = tx.send(Err(format!("the build's output stream broke: {e}"))).await;
                        return;
                    }
                }
            }
            if !pending.iter().all(u8::is_ascii_whitespace) {
                let _ = tx.send(Ok(Bytes::from(pending))).await;
            }
        }))
    }
}

/// A TLS client as Docker's CLI makes one for `DOCKER_TLS_VERIFY`: the daemon's certificate
/// checked against `ca.pem`, ours from `cert.pem` and `key.pem`.
fn tls_connector(dir: &std::path::Path) -> Result<tokio_rustls::TlsConnector, String> {
    use rustls_pki_types::pem::PemObject as _;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    use tokio_rustls::rustls;
    let read_certs = |name: &str| -> Result<Vec<CertificateDer<'static>>, String> {
        let path = dir.join(name);
        CertificateDer::pem_file_iter(&path)
            .and_then(Iterator::collect)
            .map_err(|e| format!("{}: {e} (DOCKER_CERT_PATH)", path.display()))
    };
    let mut roots = rustls::RootCertStore::empty();
    for cert in read_certs("ca.pem")? {
        roots.add(cert).map_err(|e| format!("ca.pem: {e}"))?;
    }
    let key_path = dir.join("key.pem");
    let key = PrivateKeyDer::from_pem_file(&key_path)
        .map_err(|e| format!("{}: {e} (DOCKER_CERT_PATH)", key_path.display()))?;
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_client_auth_cert(read_certs("cert.pem")?, key)
        .map_err(|e| format!("cert.pem and key.pem: {e}"))?;
    Ok(tokio_rustls::TlsConnector::from(std::sync::Arc::new(config)))
}

/// One HTTP/1.1 exchange over `io`; the connection is driven on its own task.
async fn send<IO, B>(io: IO, request: hyper::Request<B>) -> Result<hyper::Response<hyper::body::Incoming>, String>
where
    IO: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(io)).await.map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    sender.send_request(request).await.map_err(|e| e.to_string())
}

/// A stream fed by a task: `producer` sends items until it returns or the stream is dropped.
fn async_stream<T, F, Fut>(producer: F) -> impl Stream<Item = T>
where
    T: Send + 'static,
    F: FnOnce(tokio::sync::mpsc::Sender<T>) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let (tx, mut rx) = tokio::sync::mpsc::channel(16);
    let task = tokio::spawn(producer(tx));
    let guard = AbortOnDrop(task);
    futures_util::stream::poll_fn(move |cx| {
        let _ = &guard;
        rx.poll_recv(cx)
    })
}

/// Aborts the task when the stream reading from it is dropped (Ctrl-C closes the connection).
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_host_forms() {
        assert_eq!(Host::parse("unix:///run/docker.sock").unwrap(), Host::Unix("/run/docker.sock".into()));
        if std::env::var_os("DOCKER_TLS_VERIFY").is_none() {
            assert_eq!(Host::parse("tcp://10.0.0.2").unwrap(), Host::Tcp("10.0.0.2:2375".into(), None));
            assert_eq!(Host::parse("tcp://example:2376/").unwrap(), Host::Tcp("example:2376".into(), None));
        }
        assert!(Host::parse("ssh://me@host").unwrap_err().contains("unix:// or tcp://"));
    }
}
