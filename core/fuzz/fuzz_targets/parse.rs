//! Fuzzes every layer that exists over arbitrary bytes: decoding, parsing, typed lowering, the
//! JSON report and BuildKit's dump. Any panic, hang or runaway allocation is a bug; crash
//! inputs go to `tests/fixtures/fuzz-regressions/`, which the test suite replays.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stagecraft_core::report::ParseReport;
use stagecraft_core::text::ColumnUnit;
use stagecraft_core::{Analysis, syntax};

fuzz_target!(|data: &[u8]| {
    let decoded = syntax::decode(data);
    let analysis = Analysis::new(&decoded.text);
    let report = ParseReport::new(&analysis.tree, &decoded.text, &[], ColumnUnit::Utf16);
    let _ = serde_json::to_string(&report);
    let _ = syntax::dump(&analysis.tree);
    for d in analysis.diagnostics() {
        // Every span lies inside the text.
        assert!(d.span.end as usize <= decoded.text.len(), "{d:?}");
        assert!(d.span.start <= d.span.end, "{d:?}");
    }
    for node in &analysis.tree.nodes {
        assert!(node.span.end as usize <= decoded.text.len());
        for t in node.arg_tokens().into_iter().chain(&node.flags) {
            assert!(t.span.end as usize <= decoded.text.len() && t.span.start <= t.span.end);
        }
    }
});
