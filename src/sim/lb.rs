//! LoadBalancer Services on minikube: there is no cloud controller, so `status.loadBalancer`
//! stays empty and EXTERNAL-IP `<pending>`, until `minikube tunnel` runs on the trainer's
//! machine. Its load-balancer emulator (minikube `pkg/minikube/tunnel/loadbalancer_patcher.go`)
//! patches every LoadBalancer Service's status to one ingress, the Service's own ClusterIP, and
//! its route sends the service CIDR to the control-plane node; on exit it removes the ingress.
//! A cloud controller's work can be imitated with `kubectl patch --subresource=status`.

use crate::sim::cluster::Cluster;
use crate::sim::object::{Kind, Object};
use k8s_openapi::api::core::v1::{LoadBalancerIngress, LoadBalancerStatus, Service, ServiceStatus};

/// The entries of a Service's `status.loadBalancer.ingress`.
pub fn ingress(svc: &Service) -> &[LoadBalancerIngress] {
    svc.status
        .as_ref()
        .and_then(|st| st.load_balancer.as_ref())
        .and_then(|l| l.ingress.as_deref())
        .unwrap_or_default()
}

/// What the tunnel's emulator wants the Service's ingress to be, when it is not that already.
fn tunnel_ingress(svc: &Service) -> Option<String> {
    let spec = svc.spec.as_ref()?;
    if spec.type_.as_deref() != Some("LoadBalancer") {
        return None;
    }
    let ip = spec.cluster_ip.as_deref().filter(|ip| !ip.is_empty())?;
    let current = ingress(svc);
    // `updateService`: one ingress that is already the ClusterIP is left alone
    if current.len() == 1 && current[0].ip.as_deref() == Some(ip) {
        return None;
    }
    Some(ip.to_string())
}

/// While a tunnel runs, gives a LoadBalancer Service its ClusterIP as ingress (the emulator
/// re-patches every few seconds, so an ingress written by hand does not stay).
#[inline(never)]
pub fn sync(c: &mut Cluster, ns: &str, name: &str) {
    if c.tunnel.is_none() {
        return;
    }
    let Some(Object::Service(svc)) = c.get(Kind::Service, ns, name) else {
        return;
    };
    let Some(ip) = tunnel_ingress(svc) else {
        return;
    };
    let mut s = svc.clone();
    let status = s.status.get_or_insert_with(ServiceStatus::default);
    status.load_balancer = Some(LoadBalancerStatus {
        ingress: Some(vec![LoadBalancerIngress {
            ip: Some(ip),
            // the apiserver's default for an ingress with an IP (LoadBalancerIPMode, GA)
            ip_mode: Some("VIP".into()),
            ..Default::default()
        }]),
    });
    c.put(Object::Service(s));
}

/// The names of the LoadBalancer Services, in list order (what the tunnel reports it manages).
pub fn load_balancer_services(c: &Cluster) -> Vec<(String, String)> {
    c.list(Kind::Service, None)
        .into_iter()
        .filter_map(|o| match o {
            Object::Service(s)
                if s.spec.as_ref().and_then(|sp| sp.type_.as_deref()) == Some("LoadBalancer") =>
            {
                Some((o.namespace().to_string(), o.name().to_string()))
            }
            _ => None,
        })
        .collect()
}

impl Cluster {
    /// `minikube tunnel`'s route while it runs: the service CIDR via the control-plane node
    /// (the first node, the one `minikube ip` names), as (CIDR, gateway IP, gateway node).
    pub fn tunnel_route(&self) -> Option<(crate::sim::net::Cidr, String, String)> {
        self.tunnel?;
        let first = self.list(Kind::Node, None).into_iter().next()?;
        let ip = match first {
            Object::Node(n) => crate::sim::kubelet::node_internal_ip(n).unwrap_or_default(),
            _ => String::new(),
        };
        Some((self.config.service_cidr, ip, first.name().to_string()))
    }

    /// `minikube tunnel` starts (as a process on the trainer's machine, with a pid from the
    /// cluster's generator): the route is added and every LoadBalancer Service patched.
    /// Returns the managed Services' names.
    pub fn start_tunnel(&mut self) -> Vec<String> {
        use rand::Rng;
        let pid = self.rng.random_range(2000..200_000);
        self.tunnel = Some(pid);
        let services = load_balancer_services(self);
        for (ns, name) in &services {
            sync(self, ns, name);
        }
        self.reconcile_now();
        services.into_iter().map(|(_, n)| n).collect()
    }

    /// The tunnel exits (Ctrl-C): its cleanup removes the ingress of every LoadBalancer Service.
    pub fn stop_tunnel(&mut self) {
        self.tunnel = None;
        let services = load_balancer_services(self);
        for (ns, name) in &services {
            let Some(Object::Service(svc)) = self.get(Kind::Service, ns, name) else {
                continue;
            };
            if ingress(svc).is_empty() {
                continue;
            }
            let mut s = svc.clone();
            if let Some(lb) = s.status.as_mut().and_then(|st| st.load_balancer.as_mut()) {
                lb.ingress = None;
            }
            self.put(Object::Service(s));
        }
        self.reconcile_now();
    }
}
