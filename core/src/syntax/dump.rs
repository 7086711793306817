//! BuildKit's `Node.Dump`: the s-expression text that BuildKit's parser test files hold in
//! `result`, one line per instruction.

use super::{Node, SyntaxTree};
use crate::gostr;

/// The whole tree as BuildKit's `root.Dump() + "\n"` prints it. Invalid nodes, which
/// BuildKit would have refused, are left out.
#[must_use]
pub fn dump(tree: &SyntaxTree) -> String {
    let mut out = String::new();
    for node in tree.nodes.iter().filter(|n| !n.invalid) {
        out.push('(');
        out.push_str(&dump_node(node));
        out.push_str(")\n");
    }
    // Go trims the root's text and the test adds one newline back.
    let trimmed = out.trim_matches(gostr::is_space).len();
    out.truncate(trimmed);
    out.push('\n');
    out
}

fn dump_node(node: &Node) -> String {
    let mut s = gostr::to_lower(&node.keyword.value);
    if !node.flags.is_empty() {
        // Go's `%q` on a []string: `["a" "b"]`.
        s.push_str(" [");
        let quoted: Vec<String> = node.flags.iter().map(|f| gostr::quote(&f.value)).collect();
        s.push_str(&quoted.join(" "));
        s.push(']');
    }
    if let Some(sub) = node.sub() {
        // The trigger is a child of an empty node: `(run ...)` after a space.
        s.push_str(" (");
        s.push_str(&dump_node(sub));
        s.push(')');
    } else {
        for value in node.values() {
            s.push(' ');
            s.push_str(&gostr::quote(value));
        }
    }
    s.trim_matches(gostr::is_space).to_string()
}
