//! The daemon's build output, read back: BuildKit's `StatusResponse` messages decoded (which
//! instruction a step runs is the core's `builders::StepMap`).

pub(crate) use stagecraft_core::builders::{StepMap, StepSource};

/// BuildKit's `google.protobuf.Timestamp`.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct Timestamp {
    #[prost(int64, tag = "1")]
    pub(crate) seconds: i64,
    #[prost(int32, tag = "2")]
    pub(crate) nanos: i32,
}

/// The fields of BuildKit's `moby.buildkit.v1.StatusResponse` that progress shows
/// (`api/services/control/control.proto`); the rest are skipped by the decoder.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct StatusResponse {
    #[prost(message, repeated, tag = "1")]
    pub(crate) vertexes: Vec<Vertex>,
    #[prost(message, repeated, tag = "3")]
    pub(crate) logs: Vec<VertexLog>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct Vertex {
    #[prost(string, tag = "1")]
    pub(crate) digest: String,
    #[prost(string, tag = "3")]
    pub(crate) name: String,
    #[prost(bool, tag = "4")]
    pub(crate) cached: bool,
    #[prost(message, optional, tag = "5")]
    pub(crate) started: Option<Timestamp>,
    #[prost(message, optional, tag = "6")]
    pub(crate) completed: Option<Timestamp>,
    #[prost(string, tag = "7")]
    pub(crate) error: String,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct VertexLog {
    #[prost(string, tag = "1")]
    pub(crate) vertex: String,
    #[prost(int64, tag = "3")]
    pub(crate) stream: i64,
    #[prost(bytes = "vec", tag = "4")]
    pub(crate) msg: Vec<u8>,
}

/// Decodes one `moby.buildkit.trace` payload (base64 of the protobuf message).
pub(crate) fn decode_trace(aux: &str) -> Result<StatusResponse, String> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD.decode(aux).map_err(|e| format!("BuildKit trace: {e}"))?;
    prost::Message::decode(bytes.as_slice()).map_err(|e| format!("BuildKit trace: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trace_decodes() {
        // A message the 20.10 daemon sent: one vertex, "[internal] load remote build context".
        let aux = "Cm8KR3NoYTI1Njo4YTc2ZGViYjdmODE1ZTZmOWRhODcyY2Y3ZGZkMDYxN2VkOTJkNGJhYjk1MDY0MDIwNmJhZGVmNWYxZGMwZjFkGiRbaW50ZXJuYWxdIGxvYWQgcmVtb3RlIGJ1aWxkIGNvbnRleHQ=";
        let status = decode_trace(aux).unwrap();
        assert_eq!(status.vertexes.len(), 1);
        assert_eq!(status.vertexes[0].name, "[internal] load remote build context");
        assert!(status.vertexes[0].digest.starts_with("sha256:8a76"));
    }
}
