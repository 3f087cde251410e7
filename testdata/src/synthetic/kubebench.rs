//! Synthetic kube-bench JSON (`kube-bench-json`): the five controls of the CIS Kubernetes
//! Benchmark 1.9 (`master`, `etcd`, `controlplane`, `node`, `policies`) with FAIL and WARN
//! results of the benchmark's own checks (audit command, expected and actual values,
//! remediation), spread over the controls. Each result has its own check number.

use std::io::{self, Write};

use super::{Obj, SyntheticOptions, index, rng, write_records};

/// A check of the benchmark: what is ensured, the audit command, the remediation.
type Check = (&'static str, &'static str, &'static str);

/// The controls: id, text, node type, section, and checks.
const CONTROLS: &[(&str, &str, &str, &str, &[Check])] = &[
    (
        "1",
        "Control Plane Security Configuration",
        "master",
        "API Server",
        &[
            (
                "Ensure that the --anonymous-auth argument is set to false",
                "/bin/ps -ef | grep kube-apiserver | grep -v grep",
                "Edit the API server pod specification file /etc/kubernetes/manifests/kube-apiserver.yaml on the control plane node and set --anonymous-auth=false.",
            ),
            (
                "Ensure that the --profiling argument is set to false",
                "/bin/ps -ef | grep kube-apiserver | grep -v grep",
                "Edit the API server pod specification file and set --profiling=false.",
            ),
            (
                "Ensure that the --audit-log-path argument is set",
                "/bin/ps -ef | grep kube-apiserver | grep -v grep",
                "Edit the API server pod specification file and set --audit-log-path to a suitable path and file.",
            ),
        ],
    ),
    (
        "2",
        "Etcd Node Configuration",
        "etcd",
        "Etcd Node Configuration Files",
        &[
            (
                "Ensure that the --client-cert-auth argument is set to true",
                "/bin/ps -ef | /bin/grep etcd | /bin/grep -v grep",
                "Edit the etcd pod specification file /etc/kubernetes/manifests/etcd.yaml on the master node and set --client-cert-auth=\"true\".",
            ),
            (
                "Ensure that the --auto-tls argument is not set to true",
                "/bin/ps -ef | /bin/grep etcd | /bin/grep -v grep",
                "Edit the etcd pod specification file and remove --auto-tls or set it to false.",
            ),
        ],
    ),
    (
        "3",
        "Control Plane Configuration",
        "controlplane",
        "Logging",
        &[(
            "Ensure that a minimal audit policy is created",
            "/bin/ps -ef | grep kube-apiserver | grep -v grep",
            "Create an audit policy file for your cluster.",
        )],
    ),
    (
        "4",
        "Worker Node Security Configuration",
        "node",
        "Kubelet",
        &[
            (
                "Ensure that the --read-only-port argument is set to 0",
                "/bin/ps -fC kubelet",
                "If using a Kubelet config file, edit the file to set readOnlyPort to 0.",
            ),
            (
                "Ensure that the --rotate-certificates argument is not set to false",
                "/bin/ps -fC kubelet",
                "If using a Kubelet config file, edit the file to add the line rotateCertificates: true.",
            ),
            (
                "Ensure that the kubelet service file permissions are set to 600 or more restrictive",
                "/bin/sh -c 'if test -e /etc/systemd/system/kubelet.service.d/10-kubeadm.conf; then stat -c permissions=%a /etc/systemd/system/kubelet.service.d/10-kubeadm.conf; fi'",
                "Run chmod 600 /etc/systemd/system/kubelet.service.d/10-kubeadm.conf on each worker node.",
            ),
        ],
    ),
    (
        "5",
        "Kubernetes Policies",
        "policies",
        "RBAC and Service Accounts",
        &[
            (
                "Ensure that the cluster-admin role is only used where required",
                "kubectl get clusterrolebindings -o=custom-columns=NAME:.metadata.name,ROLE:.roleRef.name",
                "Identify all clusterrolebindings to the cluster-admin role and remove those that are not needed.",
            ),
            (
                "Minimize access to secrets",
                "kubectl get roles,clusterroles -A -o json",
                "Where possible, remove get, list and watch access to Secret objects in the cluster.",
            ),
        ],
    ),
];

/// `kube-bench run --json` output with `findings` FAIL and WARN results.
pub(crate) fn write_json(out: &mut dyn Write, options: &SyntheticOptions) -> io::Result<()> {
    out.write_all(b"{\n  \"Controls\": [")?;
    let n = CONTROLS.len();
    for (c, (id, text, node_type, section, checks)) in CONTROLS.iter().enumerate() {
        if c > 0 {
            out.write_all(b",")?;
        }
        let mine: Vec<usize> = (c..options.findings).step_by(n).collect();
        write!(
            out,
            "\n    {{\"id\": \"{id}\", \"version\": \"cis-1.9\", \"detected_version\": \"1.29\", \"text\": \"{text}\", \"node_type\": \"{node_type}\", \"tests\": [{{\"section\": \"{id}.1\", \"type\": \"\", \"pass\": 0, \"fail\": {}, \"warn\": 0, \"info\": 0, \"desc\": \"{section}\", \"results\": [",
            mine.len()
        )?;
        write_records(out, mine.len(), "      ", |k| {
            let i = mine[k];
            let mut rng = rng(options.seed, 50, i);
            let (desc, audit, remediation) = checks[index(&mut rng, checks.len())];
            let fail = i % 3 != 2;
            Obj::new()
                .s("test_number", &format!("{id}.1.{}", k + 1))
                .s("test_desc", &format!("{desc} (Automated)"))
                .s("audit", audit)
                .s("AuditConfig", "")
                .s("type", "")
                .s("remediation", remediation)
                .strs("test_info", [remediation])
                .s("status", if fail { "FAIL" } else { "WARN" })
                .s(
                    "actual_value",
                    if fail { "--anonymous-auth=true" } else { "" },
                )
                .raw("scored", fail)
                .raw("IsMultiple", false)
                .s("expected_result", "'--anonymous-auth' is equal to 'false'")
                .s("reason", "")
                .done()
        })?;
        write!(
            out,
            "\n    ]}}], \"total_pass\": 0, \"total_fail\": {}, \"total_warn\": 0, \"total_info\": 0}}",
            mine.len()
        )?;
    }
    out.write_all(b"\n  ],\n  \"Totals\": {\"total_pass\": 0, \"total_fail\": 0, \"total_warn\": 0, \"total_info\": 0}\n}\n")
}
