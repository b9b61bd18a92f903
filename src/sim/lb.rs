//! A load-balancer controller, as `minikube tunnel` or MetalLB would run one: LoadBalancer
//! Services get an ingress IP from a pool (192.168.49.100–120 on the minikube network) in
//! `status.loadBalancer.ingress`. With the controller off, EXTERNAL-IP stays `<pending>`.

use crate::sim::cluster::Cluster;
use crate::sim::net::{ip_to_string, parse_ip};
use crate::sim::object::{Kind, Object};
use k8s_openapi::api::core::v1::{LoadBalancerIngress, LoadBalancerStatus, Service, ServiceStatus};
use std::collections::BTreeSet;

pub const POOL_FIRST: u32 = 0xc0a8_3164; // 192.168.49.100
pub const POOL_LAST: u32 = 0xc0a8_3178; // 192.168.49.120

/// The entries of a Service's `status.loadBalancer.ingress`.
pub fn ingress(svc: &Service) -> &[LoadBalancerIngress] {
    svc.status
        .as_ref()
        .and_then(|st| st.load_balancer.as_ref())
        .and_then(|l| l.ingress.as_deref())
        .unwrap_or_default()
}

fn ingress_ips(o: &Object) -> Vec<u32> {
    match o {
        Object::Service(s) => ingress(s)
            .iter()
            .filter_map(|i| i.ip.as_deref().and_then(parse_ip))
            .collect(),
        _ => Vec::new(),
    }
}

/// Gives a LoadBalancer Service its address, or takes it back from a Service that is no longer
/// one.
#[inline(never)]
pub fn sync(c: &mut Cluster, ns: &str, name: &str) {
    let Some(Object::Service(svc)) = c.get(Kind::Service, ns, name) else {
        return;
    };
    let spec = svc.spec.as_ref();
    let is_lb = spec.and_then(|s| s.type_.as_deref()) == Some("LoadBalancer");
    let has = !ingress(svc).is_empty();
    // most Services are not LoadBalancers and have no ingress: nothing to do, nothing to copy
    if !is_lb && !has {
        return;
    }
    let ours = is_lb && spec.and_then(|s| s.load_balancer_class.as_ref()).is_none();
    if !ours {
        if !is_lb {
            // the load balancer is torn down with the type change
            let mut s = svc.clone();
            if let Some(st) = s.status.as_mut() {
                st.load_balancer = Some(LoadBalancerStatus::default());
            }
            c.put(Object::Service(s));
        }
        return;
    }
    if has || !c.proxy_config().load_balancer_controller {
        return;
    }
    let used: BTreeSet<u32> = c
        .list(Kind::Service, None)
        .into_iter()
        .flat_map(ingress_ips)
        .collect();
    let Some(Object::Service(svc)) = c.get(Kind::Service, ns, name) else {
        return;
    };
    let wanted = svc
        .spec
        .as_ref()
        .and_then(|s| s.load_balancer_ip.as_deref())
        .filter(|s| !s.is_empty());
    let ip = match wanted {
        // a requested address is honoured only from the pool, and only when free
        Some(w) => {
            parse_ip(w).filter(|ip| (POOL_FIRST..=POOL_LAST).contains(ip) && !used.contains(ip))
        }
        None => (POOL_FIRST..=POOL_LAST).find(|ip| !used.contains(ip)),
    };
    let Some(ip) = ip else {
        return; // pool exhausted: stays <pending>
    };
    let mut s = svc.clone();
    let status = s.status.get_or_insert_with(ServiceStatus::default);
    status.load_balancer = Some(LoadBalancerStatus {
        ingress: Some(vec![LoadBalancerIngress {
            ip: Some(ip_to_string(ip)),
            ip_mode: Some("VIP".into()),
            ..Default::default()
        }]),
    });
    c.put(Object::Service(s));
}
