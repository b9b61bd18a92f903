//! The cluster `minikube start --nodes 3` leaves behind: nodes, system namespaces, the
//! `kubernetes` and `kube-dns` Services, CoreDNS, kube-proxy and kindnet on every node, the
//! control-plane's static pods, and kube-system's ConfigMaps.

use crate::sim::cluster::{Cluster, ObjKey};
use crate::sim::object::{Kind, Object};
use crate::sim::time::SimTime;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment};
use k8s_openapi::api::core::v1::{
    ConfigMap, EndpointAddress, EndpointPort as CorePort, EndpointSubset, Endpoints, Namespace,
    Node, NodeAddress, NodeCondition, NodeSpec, NodeStatus, NodeSystemInfo, Pod, Service,
};
use k8s_openapi::api::discovery::v1::{Endpoint, EndpointConditions, EndpointPort, EndpointSlice};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::json;
use std::collections::BTreeMap;

/// A node as the lab knows it.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeInfo {
    pub name: String,
    pub ip: String,
    pub pod_cidr: String,
    pub labels: BTreeMap<String, String>,
}

/// How long the cluster has been up when the lab starts.
pub const UPTIME_SECS: u64 = 600;

pub const KUBE_PROXY_CONFIG: &str = "apiVersion: kubeproxy.config.k8s.io/v1alpha1
bindAddress: 0.0.0.0
bindAddressHardFail: false
clientConnection:
  acceptContentTypes: \"\"
  burst: 0
  contentType: \"\"
  kubeconfig: /var/lib/kube-proxy/kubeconfig.conf
  qps: 0
clusterCIDR: 10.244.0.0/16
configSyncPeriod: 0s
conntrack:
  maxPerCore: 0
  min: null
  tcpBeLiberal: false
  tcpCloseWaitTimeout: 0s
  tcpEstablishedTimeout: 0s
  udpStreamTimeout: 0s
  udpTimeout: 0s
detectLocal:
  bridgeInterface: \"\"
  interfaceNamePrefix: \"\"
detectLocalMode: \"\"
enableProfiling: false
healthzBindAddress: \"\"
hostnameOverride: \"\"
iptables:
  localhostNodePorts: null
  masqueradeAll: false
  masqueradeBit: null
  minSyncPeriod: 0s
  syncPeriod: 0s
ipvs:
  excludeCIDRs: null
  minSyncPeriod: 0s
  scheduler: \"\"
  strictARP: false
  syncPeriod: 0s
  tcpFinTimeout: 0s
  tcpTimeout: 0s
  udpTimeout: 0s
kind: KubeProxyConfiguration
logging:
  flushFrequency: 0
  options:
    json:
      infoBufferSize: \"0\"
    text:
      infoBufferSize: \"0\"
  verbosity: 0
metricsBindAddress: 0.0.0.0:10249
mode: \"\"
nftables:
  masqueradeAll: false
  masqueradeBit: null
  minSyncPeriod: 0s
  syncPeriod: 0s
nodePortAddresses: null
oomScoreAdj: null
portRange: \"\"
showHiddenMetricsForAlphaFeatures: false
winkernel:
  enableDSR: false
  forwardHealthCheckVip: false
  networkName: \"\"
  rootHnsEndpointName: \"\"
  sourceVip: \"\"
";

const COREFILE: &str = ".:53 {
    log
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    hosts {
       192.168.49.1 host.minikube.internal
       fallthrough
    }
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30 {
       disable success cluster.local
       disable denial cluster.local
    }
    loop
    reload
    loadbalance
}
";

/// minikube's three nodes.
pub fn default_nodes() -> Vec<NodeInfo> {
    (0..3)
        .map(|i| NodeInfo {
            name: if i == 0 {
                "minikube".into()
            } else {
                format!("minikube-m0{}", i + 1)
            },
            ip: format!("192.168.49.{}", i + 2),
            pod_cidr: format!("10.244.{i}.0/24"),
            labels: BTreeMap::new(),
        })
        .collect()
}

/// Reads the nodes a manifest declares (`kind: Node`): name, InternalIP, podCIDR, labels.
pub fn node_info_from(node: &Node, index: usize) -> NodeInfo {
    let name = node.metadata.name.clone().unwrap_or_default();
    let ip = crate::sim::kubelet::node_internal_ip(node)
        .unwrap_or_else(|| format!("192.168.49.{}", index + 2));
    let pod_cidr = node
        .spec
        .as_ref()
        .and_then(|s| s.pod_cidr.clone())
        .unwrap_or_else(|| format!("10.244.{index}.0/24"));
    NodeInfo {
        name,
        ip,
        pod_cidr,
        labels: node.metadata.labels.clone().unwrap_or_default(),
    }
}

fn meta(name: &str, ns: &str) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.into()),
        namespace: if ns.is_empty() { None } else { Some(ns.into()) },
        ..Default::default()
    }
}

fn labels(pairs: &[(&str, &str)]) -> Option<BTreeMap<String, String>> {
    Some(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}

fn node_object(info: &NodeInfo, control_plane: bool, version: &str) -> Node {
    let mut l: BTreeMap<String, String> = [
        ("beta.kubernetes.io/arch", "amd64"),
        ("beta.kubernetes.io/os", "linux"),
        ("kubernetes.io/arch", "amd64"),
        ("kubernetes.io/hostname", info.name.as_str()),
        ("kubernetes.io/os", "linux"),
        (
            "minikube.k8s.io/commit",
            "65318f4cfff9c12cc87ec9eb8f4cdd57b25047f3",
        ),
        ("minikube.k8s.io/name", "minikube"),
        (
            "minikube.k8s.io/primary",
            if control_plane { "true" } else { "false" },
        ),
        ("minikube.k8s.io/updated_at", "2025_11_25T10_00_00_0000"),
        ("minikube.k8s.io/version", "v1.37.0"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    if control_plane {
        l.insert(
            "node-role.kubernetes.io/control-plane".into(),
            String::new(),
        );
        l.insert(
            "node.kubernetes.io/exclude-from-external-load-balancers".into(),
            String::new(),
        );
    }
    l.extend(info.labels.clone());
    let mut ann = BTreeMap::new();
    ann.insert(
        "kubeadm.alpha.kubernetes.io/cri-socket".to_string(),
        "unix:///var/run/cri-dockerd.sock".to_string(),
    );
    ann.insert("node.alpha.kubernetes.io/ttl".to_string(), "0".to_string());
    ann.insert(
        "volumes.kubernetes.io/controller-managed-attach-detach".to_string(),
        "true".to_string(),
    );
    let t0 = SimTime(0).to_time();
    let cond = |ty: &str, status: &str, reason: &str, msg: &str| NodeCondition {
        type_: ty.into(),
        status: status.into(),
        reason: Some(reason.into()),
        message: Some(msg.into()),
        last_heartbeat_time: Some(t0.clone()),
        last_transition_time: Some(t0.clone()),
    };
    let resources: BTreeMap<String, Quantity> = [
        ("cpu", "2"),
        ("ephemeral-storage", "102625208Ki"),
        ("hugepages-1Gi", "0"),
        ("hugepages-2Mi", "0"),
        ("memory", "8039448Ki"),
        ("pods", "110"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), Quantity(v.to_string())))
    .collect();
    Node {
        metadata: ObjectMeta {
            name: Some(info.name.clone()),
            labels: Some(l),
            annotations: Some(ann),
            ..Default::default()
        },
        spec: Some(NodeSpec {
            pod_cidr: Some(info.pod_cidr.clone()),
            pod_cidrs: Some(vec![info.pod_cidr.clone()]),
            ..Default::default()
        }),
        status: Some(NodeStatus {
            addresses: Some(vec![
                NodeAddress {
                    type_: "InternalIP".into(),
                    address: info.ip.clone(),
                },
                NodeAddress {
                    type_: "Hostname".into(),
                    address: info.name.clone(),
                },
            ]),
            allocatable: Some(resources.clone()),
            capacity: Some(resources),
            conditions: Some(vec![
                cond(
                    "MemoryPressure",
                    "False",
                    "KubeletHasSufficientMemory",
                    "kubelet has sufficient memory available",
                ),
                cond(
                    "DiskPressure",
                    "False",
                    "KubeletHasNoDiskPressure",
                    "kubelet has no disk pressure",
                ),
                cond(
                    "PIDPressure",
                    "False",
                    "KubeletHasSufficientPID",
                    "kubelet has sufficient PID available",
                ),
                cond(
                    "Ready",
                    "True",
                    "KubeletReady",
                    "kubelet is posting ready status",
                ),
            ]),
            node_info: Some(NodeSystemInfo {
                architecture: "amd64".into(),
                boot_id: "1a2b3c4d-5e6f-7081-92a3-b4c5d6e7f809".into(),
                container_runtime_version: "docker://28.4.0".into(),
                kernel_version: "6.8.0-49-generic".into(),
                kube_proxy_version: String::new(),
                kubelet_version: version.into(),
                machine_id: "0c1d2e3f405162738495a6b7c8d9e0f1".into(),
                operating_system: "linux".into(),
                os_image: "Ubuntu 22.04.5 LTS".into(),
                system_uuid: "0c1d2e3f-4051-6273-8495-a6b7c8d9e0f1".into(),
                ..Default::default()
            }),
            ..Default::default()
        }),
    }
}

fn static_pod(name: &str, node: &str, image: &str, component: &str) -> Pod {
    crate::sim::object::from_json(&json!({
        "metadata": {"name": format!("{name}-{node}"), "namespace": "kube-system",
            "labels": {"component": component, "tier": "control-plane"}},
        "spec": {"nodeName": node, "hostNetwork": true, "priorityClassName": "system-node-critical",
            "containers": [{"name": name, "image": image}]}
    }))
    .unwrap_or_default()
}

impl Cluster {
    /// A fresh `minikube start --nodes 3` cluster (or one with the given nodes), ten minutes old.
    pub fn new(seed: u64) -> Cluster {
        Cluster::with_nodes(seed, default_nodes(), false)
    }

    /// A cluster with exactly these nodes (the first is the control plane). `from_manifest` marks
    /// them so that their first `kubectl apply` reports them as created.
    pub fn with_nodes(seed: u64, nodes: Vec<NodeInfo>, from_manifest: bool) -> Cluster {
        let mut c = Cluster::empty(seed);
        let version = c.config.kubernetes_version.clone();
        for ns in ["default", "kube-node-lease", "kube-public", "kube-system"] {
            let _ = c.create(Object::Namespace(Namespace {
                metadata: meta(ns, ""),
                ..Default::default()
            }));
        }
        for (i, n) in nodes.iter().enumerate() {
            let mut node = node_object(n, i == 0, &version);
            node.metadata.uid = Some(crate::sim::names::uid(&mut c.rng));
            node.metadata.creation_timestamp = Some(c.now.to_time());
            c.put(Object::Node(Box::new(node)));
            if from_manifest {
                c.booted_nodes.insert(n.name.clone());
            }
        }
        for ns in ["default", "kube-node-lease", "kube-public", "kube-system"] {
            let mut data = BTreeMap::new();
            data.insert("ca.crt".to_string(), "-----BEGIN CERTIFICATE-----\nMIIDBjCCAe6gAwIBAgIBATANBgkqhkiG9w0BAQsFADAVMRMwEQYDVQQDEwptaW5p\na3ViZUNBMB4XDTI1MTEyNTEwMDAwMFoXDTM1MTEyNDEwMDAwMFowFTETMBEGA1UE\n-----END CERTIFICATE-----\n".to_string());
            let _ = c.create(Object::ConfigMap(ConfigMap {
                metadata: meta("kube-root-ca.crt", ns),
                data: Some(data),
                ..Default::default()
            }));
        }
        let mut kp = BTreeMap::new();
        kp.insert("config.conf".to_string(), KUBE_PROXY_CONFIG.to_string());
        kp.insert("kubeconfig.conf".to_string(), "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    certificate-authority: /var/lib/kube-proxy/ca.crt\n    server: https://control-plane.minikube.internal:8443\n  name: default\ncontexts:\n- context:\n    cluster: default\n    namespace: default\n    user: default\n  name: default\ncurrent-context: default\nusers:\n- name: default\n  user:\n    tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token\n".to_string());
        let _ = c.create(Object::ConfigMap(ConfigMap {
            metadata: ObjectMeta {
                labels: labels(&[("app", "kube-proxy")]),
                ..meta("kube-proxy", "kube-system")
            },
            data: Some(kp),
            ..Default::default()
        }));
        let mut cf = BTreeMap::new();
        cf.insert("Corefile".to_string(), COREFILE.to_string());
        let _ = c.create(Object::ConfigMap(ConfigMap {
            metadata: meta("coredns", "kube-system"),
            data: Some(cf),
            ..Default::default()
        }));

        // default/kubernetes and its apiserver-maintained endpoints
        ensure_apiserver_service(&mut c);

        // control-plane static pods, then the DaemonSet pods of every node
        let cp = nodes.first().map(|n| n.name.clone()).unwrap_or_default();
        for (name, image, comp) in [
            ("etcd", "registry.k8s.io/etcd:3.6.4-0", "etcd"),
            (
                "kube-apiserver",
                "registry.k8s.io/kube-apiserver:v1.34.0",
                "kube-apiserver",
            ),
            (
                "kube-controller-manager",
                "registry.k8s.io/kube-controller-manager:v1.34.0",
                "kube-controller-manager",
            ),
            (
                "kube-scheduler",
                "registry.k8s.io/kube-scheduler:v1.34.0",
                "kube-scheduler",
            ),
        ] {
            let _ = c.create(Object::Pod(Box::new(static_pod(name, &cp, image, comp))));
        }
        // kindnet (minikube's multi-node CNI) and kube-proxy run on every node as DaemonSets
        for (name, image, label) in [
            (
                "kindnet",
                "docker.io/kindest/kindnetd:v20250512-df8de77b",
                ("app", "kindnet"),
            ),
            (
                "kube-proxy",
                "registry.k8s.io/kube-proxy:v1.34.0",
                ("k8s-app", "kube-proxy"),
            ),
        ] {
            let ds: DaemonSet = crate::sim::object::from_json(&json!({
                "metadata": {"name": name, "namespace": "kube-system", "labels": {label.0: label.1}},
                "spec": {"selector": {"matchLabels": {label.0: label.1}},
                    "template": {"metadata": {"labels": {label.0: label.1}},
                        "spec": {"hostNetwork": true, "priorityClassName": "system-node-critical",
                            "serviceAccountName": name, "nodeSelector": {"kubernetes.io/os": "linux"},
                            "tolerations": [{"operator": "Exists"}],
                            "containers": [{"name": name.replace("kindnet", "kindnet-cni"), "image": image}]}}}
            }))
            .unwrap_or_default();
            let _ = c.create(Object::DaemonSet(Box::new(ds)));
        }
        let sp: Pod = crate::sim::object::from_json(&json!({
            "metadata": {"name": "storage-provisioner", "namespace": "kube-system",
                "labels": {"addonmanager.kubernetes.io/mode": "Reconcile", "integration-test": "storage-provisioner"}},
            "spec": {"nodeName": cp, "hostNetwork": true, "serviceAccountName": "storage-provisioner",
                "containers": [{"name": "storage-provisioner", "image": "gcr.io/k8s-minikube/storage-provisioner:v5"}]}
        }))
        .unwrap_or_default();
        let _ = c.create(Object::Pod(Box::new(sp)));

        // CoreDNS: a Deployment whose pod lands on the control plane, behind kube-dns
        let coredns: Deployment = crate::sim::object::from_json(&json!({
            "metadata": {"name": "coredns", "namespace": "kube-system", "labels": {"k8s-app": "kube-dns"}},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"k8s-app": "kube-dns"}},
                "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}},
                "template": {"metadata": {"labels": {"k8s-app": "kube-dns"}},
                    "spec": {"priorityClassName": "system-cluster-critical", "serviceAccountName": "coredns",
                        "dnsPolicy": "Default", "nodeSelector": {"kubernetes.io/os": "linux"},
                        "tolerations": [{"key": "CriticalAddonsOnly", "operator": "Exists"},
                            {"effect": "NoSchedule", "key": "node-role.kubernetes.io/control-plane"}],
                        "containers": [{"name": "coredns", "image": "registry.k8s.io/coredns/coredns:v1.12.1",
                            "args": ["-conf", "/etc/coredns/Corefile"],
                            "ports": [{"containerPort": 53, "name": "dns", "protocol": "UDP"},
                                {"containerPort": 53, "name": "dns-tcp", "protocol": "TCP"},
                                {"containerPort": 9153, "name": "metrics", "protocol": "TCP"}],
                            "resources": {"limits": {"memory": "170Mi"}, "requests": {"cpu": "100m", "memory": "70Mi"}},
                            "readinessProbe": {"httpGet": {"path": "/ready", "port": 8181, "scheme": "HTTP"}}}]}}}
        }))
        .unwrap_or_default();
        // CoreDNS is scheduled on the control plane (only node at kubeadm init time)
        let others: Vec<String> = nodes.iter().skip(1).map(|n| n.name.clone()).collect();
        for o in &others {
            set_unschedulable(&mut c, o, true);
        }
        let _ = c.create(Object::Deployment(Box::new(coredns)));
        for o in &others {
            set_unschedulable(&mut c, o, false);
        }
        let kube_dns: Service = crate::sim::object::from_json(&json!({
            "metadata": {"name": "kube-dns", "namespace": "kube-system",
                "labels": {"k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "CoreDNS"},
                "annotations": {"prometheus.io/port": "9153", "prometheus.io/scrape": "true"}},
            "spec": {"clusterIP": "10.96.0.10", "selector": {"k8s-app": "kube-dns"},
                "ports": [{"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                    {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
                    {"name": "metrics", "port": 9153, "protocol": "TCP", "targetPort": 9153}]}
        }))
        .unwrap_or_default();
        let _ = c.create(Object::Service(Box::new(kube_dns)));
        // the cluster has been up for a while when the lab begins
        c.advance(UPTIME_SECS * 1000);
        c.events.clear();
        c
    }
}

fn set_unschedulable(c: &mut Cluster, node: &str, value: bool) {
    if let Some(Object::Node(mut n)) = c.objects.get(&ObjKey::new(Kind::Node, "", node)).cloned() {
        n.spec.get_or_insert_with(Default::default).unschedulable =
            if value { Some(true) } else { None };
        c.put(Object::Node(n));
    }
}

/// The apiserver's own `default/kubernetes` Service and its endpoints (the control plane's
/// InternalIP, port 8443). The apiserver creates whichever is missing: at start, and again on its
/// 10-second sync after someone deletes one (`kubernetesservice.Controller`, the lease reconciler).
/// The control-plane node (the one labelled so, else the first): where the apiserver and the
/// scheduler run.
pub fn control_plane_node(c: &Cluster) -> Option<&Object> {
    let nodes = c.list(Kind::Node, None);
    nodes
        .iter()
        .find(|n| {
            n.meta()
                .labels
                .as_ref()
                .is_some_and(|l| l.contains_key("node-role.kubernetes.io/control-plane"))
        })
        .or(nodes.first())
        .copied()
}

pub(crate) fn ensure_apiserver_service(c: &mut Cluster) {
    let control_plane = control_plane_node(c);
    let api_ip = control_plane
        .and_then(|n| match n {
            Object::Node(n) => n
                .status
                .as_ref()?
                .addresses
                .as_ref()?
                .iter()
                .find(|a| a.type_ == "InternalIP")
                .map(|a| a.address.clone()),
            _ => None,
        })
        .unwrap_or_else(|| "192.168.49.2".into());
    let kubernetes: Service = crate::sim::object::from_json(&json!({
        "metadata": {"name": "kubernetes", "namespace": "default",
            "labels": {"component": "apiserver", "provider": "kubernetes"}},
        "spec": {"clusterIP": "10.96.0.1", "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 8443}]}
    }))
    .unwrap_or_default();
    if c.get(Kind::Service, "default", "kubernetes").is_none() {
        let _ = c.create(Object::Service(Box::new(kubernetes)));
    }
    let ep = Endpoints {
        metadata: ObjectMeta {
            labels: labels(&[("endpointslice.kubernetes.io/skip-mirror", "true")]),
            ..meta("kubernetes", "default")
        },
        subsets: Some(vec![EndpointSubset {
            addresses: Some(vec![EndpointAddress {
                ip: api_ip.clone(),
                ..Default::default()
            }]),
            not_ready_addresses: None,
            ports: Some(vec![CorePort {
                name: Some("https".into()),
                port: 8443,
                protocol: Some("TCP".into()),
                app_protocol: None,
            }]),
        }]),
    };
    if c.get(Kind::Endpoints, "default", "kubernetes").is_none() {
        let _ = c.create(Object::Endpoints(ep));
    }
    let slice = EndpointSlice {
        address_type: "IPv4".into(),
        endpoints: vec![Endpoint {
            addresses: vec![api_ip.clone()],
            conditions: Some(EndpointConditions {
                ready: Some(true),
                serving: None,
                terminating: None,
            }),
            ..Default::default()
        }],
        metadata: ObjectMeta {
            labels: labels(&[("kubernetes.io/service-name", "kubernetes")]),
            ..meta("kubernetes", "default")
        },
        ports: Some(vec![EndpointPort {
            name: Some("https".into()),
            port: Some(8443),
            protocol: Some("TCP".into()),
            app_protocol: None,
        }]),
    };
    if c.get(Kind::EndpointSlice, "default", "kubernetes")
        .is_none()
    {
        let _ = c.create(Object::EndpointSlice(slice));
    }
}
