//! Synthetic Trivy Operator resources (`trivy-operator-json`): `kubectl get
//! vulnerabilityreports -A -o json`, a `List` of VulnerabilityReports of the workloads of a
//! shop namespace (one per ReplicaSet container, up to [`PER_REPORT`] vulnerabilities each,
//! advisories from the phrase bank), with a ConfigAuditReport of failed KSV checks every fifth
//! resource. Every record has its own advisory id or check and workload.

use std::io::{self, Write};

use super::advisory::{DEBIAN, advisory, versions};
use super::{Obj, SyntheticOptions, hex, index, js, raw_list, rng, weighted};

const PER_REPORT: usize = 40;
const SEVERITIES: &[&str] = &["CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"];
const SCORES: &[f64] = &[9.8, 7.5, 5.3, 3.1, 0.0];
const CHECKS: &[(&str, &str, &str, &str)] = &[
    (
        "KSV014",
        "Root file system is not read-only",
        "LOW",
        "Set 'securityContext.readOnlyRootFilesystem' to true.",
    ),
    (
        "KSV003",
        "Default capabilities not dropped",
        "LOW",
        "Add 'ALL' to containers[].securityContext.capabilities.drop.",
    ),
    (
        "KSV012",
        "Runs as root user",
        "MEDIUM",
        "Set 'containers[].securityContext.runAsNonRoot' to true.",
    ),
    (
        "KSV017",
        "Privileged container",
        "HIGH",
        "Change 'containers[].securityContext.privileged' to 'false'.",
    ),
    (
        "KSV011",
        "CPU not limited",
        "LOW",
        "Set a limit value under 'containers[].resources.limits.cpu'.",
    ),
];

fn metadata(kind_prefix: &str, workload: &str, hash: &str) -> String {
    let name = format!("{workload}-{hash}");
    Obj::new()
        .s("name", &format!("{kind_prefix}-{name}-app"))
        .s("namespace", "shop")
        .raw(
            "labels",
            Obj::new()
                .s("trivy-operator.container.name", "app")
                .s("trivy-operator.resource.kind", "ReplicaSet")
                .s("trivy-operator.resource.name", &name)
                .s("trivy-operator.resource.namespace", "shop")
                .done(),
        )
        .done()
}

/// Trivy's `scanner` block.
fn scanner() -> String {
    Obj::new()
        .s("name", "Trivy")
        .s("vendor", "Aqua Security")
        .s("version", "0.58.1")
        .done()
}

/// One resource of `kind` about the workload, with its `report`.
fn resource(kind: &str, workload: &str, hash: &str, report: String) -> String {
    Obj::new()
        .s("apiVersion", "aquasecurity.github.io/v1alpha1")
        .s("kind", kind)
        .raw("metadata", metadata("replicaset", workload, hash))
        .raw("report", report)
        .done()
}

/// The `List` with `findings` records in all.
pub(crate) fn write_list(out: &mut dyn Write, options: &SyntheticOptions) -> io::Result<()> {
    out.write_all(b"{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"List\",\n  \"items\": [")?;
    let mut i = 0;
    let mut r = 0;
    // An empty List is any kubectl output: a clean scan is one report without vulnerabilities.
    while i < options.findings || r == 0 {
        let mut item_rng = rng(options.seed, 60, r);
        let workload = format!("shop-service-{r}");
        let hash = hex(&mut item_rng, 10);
        if r > 0 {
            out.write_all(b",")?;
        }
        out.write_all(b"\n    ")?;
        if r % 5 == 4 && i < options.findings {
            let n = CHECKS.len().min(options.findings - i);
            let checks: Vec<String> = CHECKS[..n]
                .iter()
                .map(|(id, title, severity, remediation)| {
                    Obj::new()
                        .s("category", "Kubernetes Security Check")
                        .s("checkID", id)
                        .s("title", title)
                        .s("severity", severity)
                        .raw("success", false)
                        .strs("messages", [format!("Container 'app' of ReplicaSet '{workload}-{hash}' should be fixed: {title}")])
                        .s("remediation", remediation)
                        .done()
                })
                .collect();
            let report = Obj::new()
                .raw("scanner", scanner())
                .raw("checks", raw_list(checks))
                .s("updateTimestamp", "2026-11-03T07:03:10Z")
                .done();
            let item = resource("ConfigAuditReport", &workload, &hash, report);
            out.write_all(item.as_bytes())?;
            i += n;
        } else {
            let n = PER_REPORT.min(options.findings - i);
            let vulns: Vec<String> = (i..i + n)
                .map(|k| {
                    let mut rng = rng(options.seed, 61, k);
                    let package = &DEBIAN[index(&mut rng, DEBIAN.len())];
                    let (version, fixed) = versions(&mut rng, package, true);
                    let advisory = advisory(&mut rng, package, &fixed);
                    let severity = weighted(&mut rng, &[5, 20, 40, 30, 5]);
                    let id = format!("CVE-{}-{}", 2016 + k % 10, 30_000 + k);
                    Obj::new()
                        .s("vulnerabilityID", &id)
                        .s("resource", package.name)
                        .s("installedVersion", &version)
                        .s("fixedVersion", &fixed)
                        .s("severity", SEVERITIES[severity])
                        .raw("score", SCORES[severity])
                        .s("title", &advisory.title)
                        .s("description", &advisory.description)
                        .s(
                            "primaryLink",
                            &format!("https://avd.aquasec.com/nvd/{}", id.to_lowercase()),
                        )
                        .strs("links", Vec::<String>::new())
                        .s(
                            "target",
                            "registry.example.com/shop/api:4.2.0 (debian 12.5)",
                        )
                        .s("class", "os-pkgs")
                        .s("packageType", "debian")
                        .s("publishedDate", "2024-03-01T12:00:00Z")
                        .done()
                })
                .collect();
            let report = Obj::new()
                .raw(
                    "artifact",
                    Obj::new()
                        .s("repository", "shop/api")
                        .s("tag", "4.2.0")
                        .done(),
                )
                .raw(
                    "registry",
                    Obj::new().s("server", "registry.example.com").done(),
                )
                .raw("scanner", scanner())
                .raw(
                    "os",
                    Obj::new().s("family", "debian").s("name", "12.5").done(),
                )
                .s("updateTimestamp", "2026-11-03T07:03:10Z")
                .raw("vulnerabilities", raw_list(vulns))
                .done();
            let item = resource("VulnerabilityReport", &workload, &hash, report);
            out.write_all(item.as_bytes())?;
            i += n;
        }
        r += 1;
    }
    write!(
        out,
        "\n  ],\n  \"metadata\": {{\"resourceVersion\": {}}}\n}}\n",
        js("")
    )
}
