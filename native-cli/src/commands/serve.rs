//! `stagecraft serve`: the playground, from the files embedded into this binary when it was
//! built after `cargo xtask dist`. Static files only; everything is public, so any origin may
//! load them (a docs site embedding the widget).

use crate::Outcome;

include!(concat!(env!("OUT_DIR"), "/playground.rs"));

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The port (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        _ => "application/octet-stream",
    }
}

/// The embedded file a request path names (`/` is `index.html`).
fn lookup(url: &str) -> Option<(&'static str, &'static [u8])> {
    let path = url.split(['?', '#']).next().unwrap_or("/").trim_start_matches('/');
    let path = if path.is_empty() || path.ends_with('/') { format!("{path}index.html") } else { path.to_string() };
    PLAYGROUND.iter().find(|(p, _)| *p == path).map(|(p, b)| (*p, *b))
}

pub(crate) fn run(args: &Args) -> Result<Outcome, String> {
    if PLAYGROUND.is_empty() {
        return Err("this stagecraft was built without the playground: build it with `cargo xtask dist`, \
                    then build the CLI again (`cargo build --release -p stagecraft-cli`), which embeds web/dist"
            .into());
    }
    let server = tiny_http::Server::http((args.host.as_str(), args.port))
        .map_err(|e| format!("cannot listen on {}:{}: {e}", args.host, args.port))?;
    let address =
        server.server_addr().to_ip().map_or_else(|| format!("{}:{}", args.host, args.port), |a| a.to_string());
    println!("Stagecraft playground: http://{address}/  (Ctrl-C stops)");
    for request in server.incoming_requests() {
        if !matches!(request.method(), tiny_http::Method::Get | tiny_http::Method::Head) {
            let _ = request.respond(tiny_http::Response::empty(405));
            continue;
        }
        let Some((path, body)) = lookup(request.url()) else {
            let _ = request.respond(tiny_http::Response::empty(404));
            continue;
        };
        // With its length, not chunked: the files are in memory and their sizes known.
        // (tiny_http sends no body to a HEAD request, with the length a GET would have.)
        let mut response = tiny_http::Response::from_data(body).with_chunked_threshold(usize::MAX);
        for (name, value) in [
            ("content-type", content_type(path)),
            ("cache-control", "no-cache"),
            ("access-control-allow-origin", "*"),
            ("x-content-type-options", "nosniff"),
        ] {
            if let Ok(h) = tiny_http::Header::from_bytes(name, value) {
                response.add_header(h);
            }
        }
        let _ = request.respond(response);
    }
    Ok(Outcome::Clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_types() {
        assert_eq!(content_type("stagecraft_wasm_bg.wasm"), "application/wasm");
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        // Whatever was embedded, hidden or parent paths never name a file.
        assert!(lookup("/../Cargo.toml").is_none());
        if !PLAYGROUND.is_empty() {
            assert_eq!(lookup("/").map(|(p, _)| p), Some("index.html"));
            assert_eq!(lookup("/embed.js?v=1").map(|(p, _)| p), Some("embed.js"));
        }
    }
}
