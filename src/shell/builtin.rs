//! The built-in resources of a Kubernetes v1.34 API server that the lab does not simulate
//! (`kubectl api-resources` on minikube, less the kinds `sim::object::Kind` holds). kubectl's
//! "the server doesn't have a resource type" and "no matches for kind" are true only of types the
//! server lacks; for these the lab says that it does not simulate them.

/// (Kind, API group, plural, short names)
const RESOURCES: &[(&str, &str, &str, &[&str])] = &[
    ("Binding", "", "bindings", &[]),
    ("ComponentStatus", "", "componentstatuses", &["cs"]),
    ("LimitRange", "", "limitranges", &["limits"]),
    (
        "PersistentVolumeClaim",
        "",
        "persistentvolumeclaims",
        &["pvc"],
    ),
    ("PersistentVolume", "", "persistentvolumes", &["pv"]),
    ("PodTemplate", "", "podtemplates", &[]),
    (
        "ReplicationController",
        "",
        "replicationcontrollers",
        &["rc"],
    ),
    ("ResourceQuota", "", "resourcequotas", &["quota"]),
    ("Secret", "", "secrets", &[]),
    ("ServiceAccount", "", "serviceaccounts", &["sa"]),
    (
        "MutatingWebhookConfiguration",
        "admissionregistration.k8s.io",
        "mutatingwebhookconfigurations",
        &[],
    ),
    (
        "ValidatingWebhookConfiguration",
        "admissionregistration.k8s.io",
        "validatingwebhookconfigurations",
        &[],
    ),
    (
        "ValidatingAdmissionPolicy",
        "admissionregistration.k8s.io",
        "validatingadmissionpolicies",
        &[],
    ),
    (
        "ValidatingAdmissionPolicyBinding",
        "admissionregistration.k8s.io",
        "validatingadmissionpolicybindings",
        &[],
    ),
    (
        "CustomResourceDefinition",
        "apiextensions.k8s.io",
        "customresourcedefinitions",
        &["crd", "crds"],
    ),
    ("APIService", "apiregistration.k8s.io", "apiservices", &[]),
    ("ControllerRevision", "apps", "controllerrevisions", &[]),
    ("StatefulSet", "apps", "statefulsets", &["sts"]),
    (
        "SelfSubjectReview",
        "authentication.k8s.io",
        "selfsubjectreviews",
        &[],
    ),
    ("TokenReview", "authentication.k8s.io", "tokenreviews", &[]),
    (
        "LocalSubjectAccessReview",
        "authorization.k8s.io",
        "localsubjectaccessreviews",
        &[],
    ),
    (
        "SelfSubjectAccessReview",
        "authorization.k8s.io",
        "selfsubjectaccessreviews",
        &[],
    ),
    (
        "SelfSubjectRulesReview",
        "authorization.k8s.io",
        "selfsubjectrulesreviews",
        &[],
    ),
    (
        "SubjectAccessReview",
        "authorization.k8s.io",
        "subjectaccessreviews",
        &[],
    ),
    (
        "HorizontalPodAutoscaler",
        "autoscaling",
        "horizontalpodautoscalers",
        &["hpa"],
    ),
    ("CronJob", "batch", "cronjobs", &["cj"]),
    ("Job", "batch", "jobs", &[]),
    (
        "CertificateSigningRequest",
        "certificates.k8s.io",
        "certificatesigningrequests",
        &["csr"],
    ),
    ("Lease", "coordination.k8s.io", "leases", &[]),
    (
        "FlowSchema",
        "flowcontrol.apiserver.k8s.io",
        "flowschemas",
        &[],
    ),
    (
        "PriorityLevelConfiguration",
        "flowcontrol.apiserver.k8s.io",
        "prioritylevelconfigurations",
        &[],
    ),
    ("IngressClass", "networking.k8s.io", "ingressclasses", &[]),
    ("Ingress", "networking.k8s.io", "ingresses", &["ing"]),
    ("IPAddress", "networking.k8s.io", "ipaddresses", &["ip"]),
    (
        "NetworkPolicy",
        "networking.k8s.io",
        "networkpolicies",
        &["netpol"],
    ),
    ("ServiceCIDR", "networking.k8s.io", "servicecidrs", &[]),
    ("RuntimeClass", "node.k8s.io", "runtimeclasses", &[]),
    (
        "PodDisruptionBudget",
        "policy",
        "poddisruptionbudgets",
        &["pdb"],
    ),
    (
        "ClusterRoleBinding",
        "rbac.authorization.k8s.io",
        "clusterrolebindings",
        &[],
    ),
    (
        "ClusterRole",
        "rbac.authorization.k8s.io",
        "clusterroles",
        &[],
    ),
    (
        "RoleBinding",
        "rbac.authorization.k8s.io",
        "rolebindings",
        &[],
    ),
    ("Role", "rbac.authorization.k8s.io", "roles", &[]),
    ("DeviceClass", "resource.k8s.io", "deviceclasses", &[]),
    ("ResourceClaim", "resource.k8s.io", "resourceclaims", &[]),
    (
        "ResourceClaimTemplate",
        "resource.k8s.io",
        "resourceclaimtemplates",
        &[],
    ),
    ("ResourceSlice", "resource.k8s.io", "resourceslices", &[]),
    (
        "PriorityClass",
        "scheduling.k8s.io",
        "priorityclasses",
        &["pc"],
    ),
    ("CSIDriver", "storage.k8s.io", "csidrivers", &[]),
    ("CSINode", "storage.k8s.io", "csinodes", &[]),
    (
        "CSIStorageCapacity",
        "storage.k8s.io",
        "csistoragecapacities",
        &[],
    ),
    ("StorageClass", "storage.k8s.io", "storageclasses", &["sc"]),
    (
        "VolumeAttachment",
        "storage.k8s.io",
        "volumeattachments",
        &[],
    ),
    (
        "VolumeAttributesClass",
        "storage.k8s.io",
        "volumeattributesclasses",
        &["vac"],
    ),
];

/// What the lab simulates, for the messages below.
const SIMULATED: &str = "pods, services, endpoints, endpointslices, deployments, replicasets, daemonsets, nodes, namespaces, configmaps and events";

/// The plural of a built-in resource the lab does not simulate, as typed on a command line
/// (plural, singular, short name or kind, optionally `.group`).
pub fn unsimulated_resource(typed: &str) -> Option<&'static str> {
    let lower = typed.to_ascii_lowercase();
    let (base, group) = match lower.split_once('.') {
        Some((b, g)) => (b.to_string(), Some(g.to_string())),
        None => (lower, None),
    };
    RESOURCES
        .iter()
        .find(|(kind, g, plural, short)| {
            let named = base == *plural
                || base == kind.to_ascii_lowercase()
                || short.contains(&base.as_str());
            named && group.as_deref().is_none_or(|want| want == *g)
        })
        .map(|(_, _, plural, _)| *plural)
}

/// The message for a command line naming such a resource.
pub fn resource_message(plural: &str) -> String {
    format!("svclab: the lab does not simulate {plural}; it simulates {SIMULATED}")
}

/// The message for a manifest holding an object of such a kind (`apiVersion` `group/version`
/// or `version`), or `None` for a kind the API server does not have either.
pub fn kind_message(api_version: &str, kind: &str, name: &str) -> Option<String> {
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    RESOURCES
        .iter()
        .find(|(k, g, _, _)| *k == kind && *g == group)
        .map(|(_, _, plural, _)| {
            format!(
                "svclab: {kind} \"{name}\" was not applied: the lab does not simulate {plural}; it simulates {SIMULATED}"
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_types_are_named_and_unknown_ones_are_not() {
        assert_eq!(unsimulated_resource("secrets"), Some("secrets"));
        assert_eq!(unsimulated_resource("Secret"), Some("secrets"));
        assert_eq!(unsimulated_resource("sts"), Some("statefulsets"));
        assert_eq!(
            unsimulated_resource("ingresses.networking.k8s.io"),
            Some("ingresses")
        );
        assert_eq!(unsimulated_resource("ingresses.apps"), None);
        assert_eq!(unsimulated_resource("widgets"), None);
        assert!(kind_message("networking.k8s.io/v1", "Ingress", "web").is_some());
        assert!(kind_message("v1", "Secret", "s").is_some());
        assert!(kind_message("example.com/v1", "Widget", "w").is_none());
        assert!(kind_message("apps/v1", "Secret", "s").is_none());
    }
}
