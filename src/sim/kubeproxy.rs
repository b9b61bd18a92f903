//! kube-proxy's settings, read from the `kube-system/kube-proxy` ConfigMap (`config.conf`, a
//! KubeProxyConfiguration) as kubeadm and minikube lay it out.

use crate::sim::cluster::Cluster;
use crate::sim::net::Cidr;
use crate::sim::object::{Kind, Object};

#[derive(Debug, Clone, PartialEq)]
pub struct ProxyConfig {
    /// `iptables` (also for an empty mode, the Linux default), `ipvs` or `nftables`.
    pub mode: String,
    /// The local-traffic detector's range; `None` disables the `-s`/`! -s` rules.
    pub cluster_cidr: Option<Cidr>,
    pub masquerade_all: bool,
    pub masquerade_bit: u32,
    pub localhost_node_ports: bool,
    pub node_port_addresses: Vec<String>,
}

impl Default for ProxyConfig {
    fn default() -> Self {
        ProxyConfig {
            mode: "iptables".into(),
            cluster_cidr: Cidr::parse("10.244.0.0/16"),
            masquerade_all: false,
            masquerade_bit: 14,
            localhost_node_ports: true,
            node_port_addresses: Vec::new(),
        }
    }
}

impl ProxyConfig {
    /// Parses a KubeProxyConfiguration document. Unset or empty fields keep their defaults.
    pub fn parse(text: &str) -> Result<ProxyConfig, String> {
        let v = crate::sim::yaml::parse_document(text).map_err(|e| e.go_message())?;
        let mut c = ProxyConfig::default();
        if let Some(mode) = v
            .get("mode")
            .and_then(|m| m.as_str())
            .filter(|m| !m.is_empty())
        {
            c.mode = mode.to_string();
        }
        match v.get("clusterCIDR") {
            Some(serde_json::Value::String(s)) if s.is_empty() => c.cluster_cidr = None,
            Some(serde_json::Value::String(s)) => {
                c.cluster_cidr = Some(
                    Cidr::parse(s.split(',').next().unwrap_or(s))
                        .ok_or_else(|| format!("invalid clusterCIDR {s:?}"))?,
                )
            }
            _ => {}
        }
        let ipt = v.get("iptables");
        if let Some(b) = ipt
            .and_then(|i| i.get("masqueradeAll"))
            .and_then(|b| b.as_bool())
        {
            c.masquerade_all = b;
        }
        if let Some(b) = ipt
            .and_then(|i| i.get("masqueradeBit"))
            .and_then(|b| b.as_u64())
        {
            c.masquerade_bit = b as u32;
        }
        if let Some(b) = ipt
            .and_then(|i| i.get("localhostNodePorts"))
            .and_then(|b| b.as_bool())
        {
            c.localhost_node_ports = b;
        }
        if let Some(list) = v.get("nodePortAddresses").and_then(|l| l.as_array()) {
            c.node_port_addresses = list
                .iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect();
        }
        Ok(c)
    }
}

impl Cluster {
    /// The kube-proxy settings in force: from the ConfigMap, else the defaults.
    pub fn proxy_config(&self) -> ProxyConfig {
        self.proxy_cfg.clone().unwrap_or_default()
    }

    /// Reads the `kube-system/kube-proxy` ConfigMap again (after it changed): parsing YAML on
    /// every request would cost more than the request.
    pub(crate) fn reload_proxy_config(&mut self) {
        self.proxy_cfg = match self.get(Kind::ConfigMap, "kube-system", "kube-proxy") {
            Some(Object::ConfigMap(cm)) => Some(
                cm.data
                    .as_ref()
                    .and_then(|d| d.get("config.conf"))
                    .and_then(|t| ProxyConfig::parse(t).ok())
                    .unwrap_or_default(),
            ),
            _ => None,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minikube_layout_parses() {
        let c = ProxyConfig::parse(crate::sim::bootstrap::KUBE_PROXY_CONFIG).unwrap();
        assert_eq!(c.mode, "iptables");
        assert_eq!(c.cluster_cidr, Cidr::parse("10.244.0.0/16"));
        assert!(!c.masquerade_all);
    }

    #[test]
    fn explicit_mode_and_cidr() {
        let c = ProxyConfig::parse(
            "mode: ipvs\nclusterCIDR: 10.0.0.0/8\niptables:\n  masqueradeAll: true\n",
        )
        .unwrap();
        assert_eq!(c.mode, "ipvs");
        assert_eq!(c.cluster_cidr.unwrap().to_string(), "10.0.0.0/8");
        assert!(c.masquerade_all);
    }
}
