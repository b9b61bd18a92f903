//! kube-proxy in iptables mode: the service model it builds (`model`), the rules it writes on
//! each node (`rules`, `ruleset`) and how `iptables-save` shows them (`save`).

pub mod model;
pub mod rules;
pub mod ruleset;
pub mod save;
pub mod walk;
