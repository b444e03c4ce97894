//! A flow as a directed graph: one graph node per flow node, one edge per way out of it
//! (`next`, a menu digit, a condition, a calendar outcome, a queue offer, ...).
//!
//! Targets that name no node of the flow are not edges; they are kept in
//! [`FlowGraph::unknown_targets`]. Subflow calls and transfers to another flow are
//! references to other flows, kept in [`FlowGraph::flow_refs`]; the edge of a subflow
//! node is its `next` (where the call continues when the subflow returns).

use super::model::{Flow, Node, NodeId, TransferTo};
use super::source::Segment;
use petgraph::graph::{DiGraph, EdgeReference, NodeIndex};
use petgraph::visit::{EdgeFiltered, EdgeRef};
use std::collections::{BTreeMap, VecDeque};

/// What an edge stands for.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EdgeLabel {
    /// A menu option or language choice (the digits).
    Digit(String),
    /// A branch condition (the CEL source).
    Condition(String),
    /// A branch's `otherwise`.
    Otherwise,
    /// `next`.
    Next,
    /// `on_failure` (too many failures or timeouts, failed lookup).
    Failure,
    /// A schedule's `open`.
    Open,
    /// A schedule's `closed`.
    Closed,
    /// A schedule's `holiday`.
    Holiday,
    /// A queue offer that leaves the queue (the digit).
    Offer(String),
    /// Where a subflow node continues after the subflow returns.
    Subflow,
}

impl EdgeLabel {
    /// Whether the edge is taken on the caller's keys (digits and offers).
    pub fn needs_input(&self) -> bool {
        matches!(self, EdgeLabel::Digit(_) | EdgeLabel::Offer(_))
    }

    /// A short text for diagrams.
    pub fn text(&self) -> String {
        match self {
            EdgeLabel::Digit(d) => d.clone(),
            EdgeLabel::Condition(c) => c.clone(),
            EdgeLabel::Otherwise => "otherwise".into(),
            EdgeLabel::Next => String::new(),
            EdgeLabel::Failure => "failure".into(),
            EdgeLabel::Open => "open".into(),
            EdgeLabel::Closed => "closed".into(),
            EdgeLabel::Holiday => "holiday".into(),
            EdgeLabel::Offer(d) => format!("offer {d}"),
            EdgeLabel::Subflow => "returned".into(),
        }
    }
}

/// An edge of the flow graph.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edge {
    /// What the edge stands for.
    pub label: EdgeLabel,
}

/// The field of a node that holds a target, without allocating its path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetField<'a> {
    /// A plain field: `next`, `on_failure`, `otherwise`, `open`, `closed`, `holiday`.
    Named(&'static str),
    /// `options.DIGITS`.
    Option(&'a str),
    /// `conditions[i].next`.
    Condition(usize),
    /// `offers.voicemail.node`.
    VoicemailOffer,
}

impl TargetField<'_> {
    /// The path inside the node.
    pub fn segments(&self) -> Vec<Segment> {
        let key = |k: &str| Segment::Key(k.to_string());
        match self {
            TargetField::Named(n) => vec![key(n)],
            TargetField::Option(d) => vec![key("options"), key(d)],
            TargetField::Condition(i) => vec![key("conditions"), Segment::Index(*i), key("next")],
            TargetField::VoicemailOffer => vec![key("offers"), key("voicemail"), key("node")],
        }
    }

    /// The path as text (`options.1`, `conditions[0].next`).
    pub fn path(&self) -> String {
        super::source::display_path(&self.segments())
    }
}

/// The kind of a node (its `type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NodeKind {
    /// `menu`.
    Menu,
    /// `play`.
    Play,
    /// `collect`.
    Collect,
    /// `branch`.
    Branch,
    /// `schedule`.
    Schedule,
    /// `lookup`.
    Lookup,
    /// `set`.
    Set,
    /// `language`.
    Language,
    /// `queue`.
    Queue,
    /// `transfer`.
    Transfer,
    /// `voicemail`.
    Voicemail,
    /// `callback`.
    Callback,
    /// `survey`.
    Survey,
    /// `subflow`.
    Subflow,
    /// `return`.
    Return,
    /// `hangup`.
    Hangup,
}

impl NodeKind {
    /// The kind of `node`.
    pub fn of(node: &Node) -> NodeKind {
        match node {
            Node::Menu(_) => NodeKind::Menu,
            Node::Play(_) => NodeKind::Play,
            Node::Collect(_) => NodeKind::Collect,
            Node::Branch(_) => NodeKind::Branch,
            Node::Schedule(_) => NodeKind::Schedule,
            Node::Lookup(_) => NodeKind::Lookup,
            Node::Set(_) => NodeKind::Set,
            Node::Language(_) => NodeKind::Language,
            Node::Queue(_) => NodeKind::Queue,
            Node::Transfer(_) => NodeKind::Transfer,
            Node::Voicemail(_) => NodeKind::Voicemail,
            Node::Callback(_) => NodeKind::Callback,
            Node::Survey(_) => NodeKind::Survey,
            Node::Subflow(_) => NodeKind::Subflow,
            Node::Return(_) => NodeKind::Return,
            Node::Hangup(_) => NodeKind::Hangup,
        }
    }

    /// The `type` string.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Menu => "menu",
            NodeKind::Play => "play",
            NodeKind::Collect => "collect",
            NodeKind::Branch => "branch",
            NodeKind::Schedule => "schedule",
            NodeKind::Lookup => "lookup",
            NodeKind::Set => "set",
            NodeKind::Language => "language",
            NodeKind::Queue => "queue",
            NodeKind::Transfer => "transfer",
            NodeKind::Voicemail => "voicemail",
            NodeKind::Callback => "callback",
            NodeKind::Survey => "survey",
            NodeKind::Subflow => "subflow",
            NodeKind::Return => "return",
            NodeKind::Hangup => "hangup",
        }
    }

    /// Nodes where the flow's part of the call ends: hangup, transfer, queue, voicemail,
    /// callback and return.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            NodeKind::Hangup
                | NodeKind::Transfer
                | NodeKind::Queue
                | NodeKind::Voicemail
                | NodeKind::Callback
                | NodeKind::Return
        )
    }
}

impl std::fmt::Display for NodeKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A target that names no node of the flow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownTarget {
    /// The node holding the reference.
    pub from: NodeId,
    /// Its field (`next`, `options.2`).
    pub field: String,
    /// The missing node id.
    pub target: NodeId,
}

/// How a node refers to another flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FlowRefKind {
    /// A subflow call (comes back).
    Subflow,
    /// A transfer to another flow (does not come back).
    Transfer,
}

/// A reference from a node to another flow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlowRef {
    /// The node.
    pub from: NodeId,
    /// Its field (`flow`, `to.flow`).
    pub field: String,
    /// The flow id.
    pub flow: String,
    /// Subflow call or transfer.
    pub kind: FlowRefKind,
}

/// A flow as a graph.
#[derive(Clone, Debug)]
pub struct FlowGraph {
    graph: DiGraph<NodeId, Edge>,
    index: BTreeMap<NodeId, NodeIndex>,
    kinds: Vec<NodeKind>,
    start: Option<NodeIndex>,
    /// Targets naming no node.
    pub unknown_targets: Vec<UnknownTarget>,
    /// Subflow calls and transfers to other flows.
    pub flow_refs: Vec<FlowRef>,
}

/// The targets of a node, in field order: `(label, field, target)`.
pub fn targets(node: &Node) -> Vec<(EdgeLabel, TargetField<'_>, &NodeId)> {
    use TargetField::Named;
    let mut out = Vec::new();
    match node {
        Node::Menu(m) => {
            for (digit, t) in &m.options {
                out.push((EdgeLabel::Digit(digit.clone()), TargetField::Option(digit), t));
            }
            out.push((EdgeLabel::Failure, Named("on_failure"), &m.on_failure));
        }
        Node::Play(p) => out.push((EdgeLabel::Next, Named("next"), &p.next)),
        Node::Collect(c) => {
            out.push((EdgeLabel::Next, Named("next"), &c.next));
            out.push((EdgeLabel::Failure, Named("on_failure"), &c.on_failure));
        }
        Node::Branch(b) => {
            for (i, c) in b.conditions.iter().enumerate() {
                out.push((
                    EdgeLabel::Condition(c.when.clone()),
                    TargetField::Condition(i),
                    &c.next,
                ));
            }
            out.push((EdgeLabel::Otherwise, Named("otherwise"), &b.otherwise));
        }
        Node::Schedule(s) => {
            out.push((EdgeLabel::Open, Named("open"), &s.open));
            out.push((EdgeLabel::Closed, Named("closed"), &s.closed));
            if let Some(h) = &s.holiday {
                out.push((EdgeLabel::Holiday, Named("holiday"), h));
            }
        }
        Node::Lookup(l) => {
            out.push((EdgeLabel::Next, Named("next"), &l.next));
            out.push((EdgeLabel::Failure, Named("on_failure"), &l.on_failure));
        }
        Node::Set(s) => out.push((EdgeLabel::Next, Named("next"), &s.next)),
        Node::Language(l) => out.push((EdgeLabel::Next, Named("next"), &l.next)),
        Node::Queue(q) => {
            if let Some(vm) = q.offers.as_ref().and_then(|o| o.voicemail.as_ref()) {
                out.push((
                    EdgeLabel::Offer(vm.digit.clone()),
                    TargetField::VoicemailOffer,
                    &vm.node,
                ));
            }
        }
        Node::Survey(s) => out.push((EdgeLabel::Next, Named("next"), &s.next)),
        Node::Subflow(s) => out.push((EdgeLabel::Subflow, Named("next"), &s.next)),
        Node::Transfer(_) | Node::Voicemail(_) | Node::Callback(_) | Node::Return(_) | Node::Hangup(_) => {}
    }
    out
}

impl FlowGraph {
    /// Builds the graph of `flow`.
    pub fn build(flow: &Flow) -> FlowGraph {
        let mut graph = DiGraph::with_capacity(flow.nodes.len(), flow.nodes.len() * 2);
        let mut index = BTreeMap::new();
        let mut kinds = Vec::with_capacity(flow.nodes.len());
        for (id, node) in &flow.nodes {
            index.insert(id.clone(), graph.add_node(id.clone()));
            kinds.push(NodeKind::of(node));
        }
        let mut unknown_targets = Vec::new();
        let mut flow_refs = Vec::new();
        for (id, node) in &flow.nodes {
            let from = index[id];
            for (label, field, target) in targets(node) {
                match index.get(target) {
                    Some(&to) => {
                        graph.add_edge(from, to, Edge { label });
                    }
                    None => unknown_targets.push(UnknownTarget {
                        from: id.clone(),
                        field: field.path(),
                        target: target.clone(),
                    }),
                }
            }
            match node {
                Node::Subflow(s) => flow_refs.push(FlowRef {
                    from: id.clone(),
                    field: "flow".into(),
                    flow: s.flow.clone(),
                    kind: FlowRefKind::Subflow,
                }),
                Node::Transfer(t) => {
                    if let TransferTo::Flow(f) = &t.to {
                        flow_refs.push(FlowRef {
                            from: id.clone(),
                            field: "to.flow".into(),
                            flow: f.clone(),
                            kind: FlowRefKind::Transfer,
                        });
                    }
                }
                _ => {}
            }
        }
        FlowGraph {
            start: index.get(&flow.start).copied(),
            graph,
            index,
            kinds,
            unknown_targets,
            flow_refs,
        }
    }

    /// The petgraph graph (node weights are node ids).
    pub fn graph(&self) -> &DiGraph<NodeId, Edge> {
        &self.graph
    }

    /// The graph index of a node id.
    pub fn index(&self, id: &str) -> Option<NodeIndex> {
        self.index.get(id).copied()
    }

    /// The node id at an index.
    pub fn id(&self, ix: NodeIndex) -> &str {
        self.graph.node_weight(ix).map_or("", String::as_str)
    }

    /// The kind of the node at an index.
    pub fn kind(&self, ix: NodeIndex) -> Option<NodeKind> {
        self.kinds.get(ix.index()).copied()
    }

    /// The start node, when `start` names a node.
    pub fn start(&self) -> Option<NodeIndex> {
        self.start
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.graph.node_count()
    }

    /// Whether the flow has no nodes.
    pub fn is_empty(&self) -> bool {
        self.graph.node_count() == 0
    }

    /// The edges leaving a node, in field order.
    pub fn edges_from(&self, ix: NodeIndex) -> Vec<(&Edge, NodeIndex)> {
        let mut out: Vec<_> = self
            .graph
            .edges(ix)
            .map(|e| (e.id(), e.weight(), e.target()))
            .collect();
        out.sort_by_key(|(id, _, _)| *id);
        out.into_iter().map(|(_, w, t)| (w, t)).collect()
    }

    /// The nodes a node leads to, in field order, with the edge labels.
    pub fn successors(&self, id: &str) -> Vec<(&EdgeLabel, &str)> {
        match self.index(id) {
            Some(ix) => self
                .edges_from(ix)
                .into_iter()
                .map(|(e, t)| (&e.label, self.id(t)))
                .collect(),
            None => Vec::new(),
        }
    }

    /// Marks every node reachable from `from` (including it), indexed by node index.
    pub fn reachable_from(&self, from: NodeIndex) -> Vec<bool> {
        let mut seen = vec![false; self.graph.node_count()];
        let mut todo = VecDeque::new();
        if from.index() < seen.len() {
            seen[from.index()] = true;
            todo.push_back(from);
        }
        while let Some(ix) = todo.pop_front() {
            for next in self.graph.neighbors(ix) {
                if !seen[next.index()] {
                    seen[next.index()] = true;
                    todo.push_back(next);
                }
            }
        }
        seen
    }

    /// The ids of every node reachable from the start node (none when `start` is
    /// unknown), in id order.
    pub fn reachable_from_start(&self) -> Vec<&str> {
        let Some(start) = self.start else {
            return Vec::new();
        };
        let seen = self.reachable_from(start);
        self.index
            .iter()
            .filter(|(_, ix)| seen[ix.index()])
            .map(|(id, _)| id.as_str())
            .collect()
    }

    /// Marks every node from which some node in `targets` can be reached.
    pub fn can_reach(&self, targets: &[bool]) -> Vec<bool> {
        let mut seen = targets.to_vec();
        seen.resize(self.graph.node_count(), false);
        let mut todo: VecDeque<NodeIndex> = seen
            .iter()
            .enumerate()
            .filter(|(_, s)| **s)
            .map(|(i, _)| NodeIndex::new(i))
            .collect();
        while let Some(ix) = todo.pop_front() {
            for prev in self.graph.neighbors_directed(ix, petgraph::Direction::Incoming) {
                if !seen[prev.index()] {
                    seen[prev.index()] = true;
                    todo.push_back(prev);
                }
            }
        }
        seen
    }

    /// Whether a caller who presses nothing can take `edge` out of `from`: not digits,
    /// offers or a collect's `next` (which need input), and not a subflow's `next`
    /// (whether the subflow comes back without input depends on the other flow).
    pub fn is_silent(&self, from: NodeIndex, edge: &Edge) -> bool {
        match edge.label {
            EdgeLabel::Digit(_) | EdgeLabel::Offer(_) | EdgeLabel::Subflow => false,
            EdgeLabel::Next => self.kind(from) != Some(NodeKind::Collect),
            _ => true,
        }
    }

    /// Strongly connected components that contain a cycle (more than one node, or a node
    /// with an edge to itself), each sorted by node id, in order of their first id.
    /// With `silent_only`, only edges a silent caller takes are followed.
    pub fn cycles(&self, silent_only: bool) -> Vec<Vec<NodeIndex>> {
        let components = if silent_only {
            let silent = EdgeFiltered::from_fn(&self.graph, |e: EdgeReference<'_, Edge>| {
                self.is_silent(e.source(), e.weight())
            });
            petgraph::algo::tarjan_scc(&silent)
        } else {
            petgraph::algo::tarjan_scc(&self.graph)
        };
        let mut out: Vec<Vec<NodeIndex>> = components
            .into_iter()
            .filter(|c| {
                c.len() > 1
                    || c.first().is_some_and(|&n| {
                        self.graph
                            .edges_connecting(n, n)
                            .any(|e| !silent_only || self.is_silent(n, e.weight()))
                    })
            })
            .map(|mut c| {
                c.sort_by(|a, b| self.id(*a).cmp(self.id(*b)));
                c
            })
            .collect();
        out.sort_by(|a, b| self.id(a[0]).cmp(self.id(b[0])));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flow(src: &str) -> Flow {
        Flow::from_toml_str(src, "t.toml").unwrap()
    }

    #[test]
    fn menu_edges_are_labelled_and_unknown_targets_kept() {
        let f = flow(
            r#"
            start = "m"
            [nodes.m]
            type = "menu"
            greeting = "g"
            options = { "1" = "q", "2" = "nowhere" }
            on_failure = "bye"
            [nodes.q]
            type = "queue"
            queue = 1
            [nodes.bye]
            type = "hangup"
            "#,
        );
        let g = FlowGraph::build(&f);
        assert_eq!(
            g.successors("m"),
            vec![(&EdgeLabel::Digit("1".into()), "q"), (&EdgeLabel::Failure, "bye")]
        );
        assert_eq!(
            g.unknown_targets,
            vec![UnknownTarget {
                from: "m".into(),
                field: "options.2".into(),
                target: "nowhere".into()
            }]
        );
        assert_eq!(g.reachable_from_start(), vec!["bye", "m", "q"]);
    }
}
