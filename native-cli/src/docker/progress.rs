//! The daemon's build output, read back: the classic builder's `Step N/M : ...` lines and
//! BuildKit's `StatusResponse` messages, each step mapped to the instruction it runs.

use stagecraft_core::Analysis;
use stagecraft_core::instructions::Keyword;
use stagecraft_core::plan::{Base, Plan};
use stagecraft_core::text::Span;

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

/// One instruction a step runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StepSource {
    pub(crate) span: Span,
    /// 1-based line of the instruction.
    pub(crate) line: u32,
}

/// Maps the builders' step names back to instructions.
pub(crate) struct StepMap<'a> {
    analysis: &'a Analysis,
    plan: &'a Plan,
}

impl<'a> StepMap<'a> {
    pub(crate) fn new(analysis: &'a Analysis, plan: &'a Plan) -> Self {
        Self { analysis, plan }
    }

    fn node_source(&self, node: usize) -> Option<StepSource> {
        let node = self.analysis.tree.nodes.get(node)?;
        Some(StepSource { span: node.span, line: node.start_line })
    }

    /// The classic builder's `Step N/M : ...`: the Nth instruction of the file (global ARGs
    /// first, then every stage in order up to the target).
    pub(crate) fn classic(&self, line: &str) -> Option<StepSource> {
        let rest = line.trim_start().strip_prefix("Step ")?;
        let (n, _) = rest.split_once('/')?;
        let n: usize = n.parse().ok()?;
        self.node_source(n.checked_sub(1)?)
    }

    /// BuildKit's `[stage k/n] INSTRUCTION`: BuildKit numbers only the instructions that make
    /// a vertex of the build graph: the FROM of an image, then RUN, COPY, ADD and WORKDIR
    /// (ARG, ENV, a FROM of another stage and the config instructions make none).
    pub(crate) fn buildkit(&self, name: &str) -> Option<StepSource> {
        let inner = name.strip_prefix('[')?;
        let (label, _) = inner.split_once(']')?;
        let (stage, step) = label.rsplit_once(' ')?;
        let (k, _) = step.split_once('/')?;
        let k: usize = k.parse().ok()?;
        // `[linux/amd64 build 2/3]`: a platform may come first.
        let stage_name = stage.rsplit(' ').next()?;
        let stage = self.plan.stages.iter().find(|s| s.display_name() == stage_name)?;
        let items = &self.analysis.instructions.items;
        let from = matches!(stage.base, Base::Image(_)).then_some(stage.from);
        let vertices = stage.instructions.iter().copied().filter(|&i| {
            items.get(i).is_some_and(|item| {
                matches!(item.keyword, Some(Keyword::Run | Keyword::Copy | Keyword::Add | Keyword::Workdir))
            })
        });
        let instruction = from.into_iter().chain(vertices).nth(k.checked_sub(1)?)?;
        self.node_source(items.get(instruction)?.node)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stagecraft_core::{Analysis, CheckOptions};

    #[test]
    fn steps_map_to_their_lines() {
        let text = "ARG V=1\nFROM busybox AS base\nARG V\nRUN true\nCOPY a /a\nFROM base\nENV X=1\nRUN exit 3\n";
        let analysis = Analysis::new(text);
        let checked = analysis.check(text, &CheckOptions::default());
        let map = StepMap::new(&analysis, &checked.plan);
        assert_eq!(map.classic("Step 5/8 : COPY a /a").map(|s| s.line), Some(5));
        assert_eq!(map.classic("Step 1/8 : ARG V=1").map(|s| s.line), Some(1));
        // As the 20.10 daemon's BuildKit named them: ARG and ENV make no vertex.
        assert_eq!(map.buildkit("[base 1/3] FROM docker.io/library/busybox").map(|s| s.line), Some(2));
        assert_eq!(map.buildkit("[base 2/3] RUN true").map(|s| s.line), Some(4));
        assert_eq!(map.buildkit("[base 3/3] COPY a /a").map(|s| s.line), Some(5));
        assert_eq!(map.buildkit("[stage-1 1/1] RUN exit 3").map(|s| s.line), Some(8));
        assert_eq!(map.buildkit("[linux/amd64 stage-1 1/1] RUN exit 3").map(|s| s.line), Some(8));
        assert_eq!(map.buildkit("[internal] load remote build context"), None);
    }

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
