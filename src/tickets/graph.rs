//! Workflow graph checks: every state reachable from the initial one, at least one
//! closed state, and a way to a closed state from every open state a ticket can reach.

use super::definitions::StateC;
use super::error::DefinitionProblem as P;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::{Bfs, Reversed};

/// The problems of one category's graph: `(kind, path, message)`. `ignore` marks
/// states not to report (duplicates, already reported).
pub(crate) fn check(
    path: &str,
    graph: &DiGraph<u16, u16>,
    states: &[StateC],
    initial: u16,
    ignore: &dyn Fn(usize) -> bool,
) -> Vec<(P, String, String)> {
    let mut out = Vec::new();
    let n = graph.node_count();
    if n == 0 || usize::from(initial) >= n {
        return out;
    }
    let mut reached = vec![false; n];
    let mut bfs = Bfs::new(graph, NodeIndex::new(usize::from(initial)));
    while let Some(x) = bfs.next(graph) {
        reached[x.index()] = true;
    }
    let mut closes = vec![false; n];
    let reversed = Reversed(graph);
    for (i, s) in states.iter().enumerate() {
        if s.is_final && !closes[i] {
            let mut bfs = Bfs::new(reversed, NodeIndex::new(i));
            while let Some(x) = bfs.next(reversed) {
                closes[x.index()] = true;
            }
        }
    }
    let any_final = states.iter().any(|s| s.is_final);
    if !any_final {
        out.push((
            P::UnreachableFinalState,
            format!("{path}.states"),
            "the workflow has no closed state (`final = true`)".to_string(),
        ));
    }
    for (i, s) in states.iter().enumerate().filter(|(i, _)| !ignore(*i)) {
        let at = format!("{path}.states[{i}]");
        match (reached[i], s.is_final) {
            (false, true) => out.push((
                P::UnreachableFinalState,
                at,
                format!("closed state `{}` cannot be reached from the initial state", s.id),
            )),
            (false, false) => out.push((
                P::UnreachableState,
                at,
                format!("state `{}` cannot be reached from the initial state", s.id),
            )),
            (true, false) if any_final && !closes[i] => out.push((
                P::DeadEnd,
                at,
                format!("no closed state can be reached from state `{}`", s.id),
            )),
            _ => {}
        }
    }
    out
}
