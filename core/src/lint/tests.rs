//! Unit tests of the build checks; BuildKit's documented examples run in `tests/` (lint
//! conformance).
