//! Unit tests of dispatch.
