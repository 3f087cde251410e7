//! Synthetic tfsec v1.28 reports: JSON (`tfsec-json`), CSV (`tfsec-csv`), checkstyle
//! (`tfsec-checkstyle`) and JUnit (`tfsec-junit`), from one set of failed results over a
//! Terraform tree of modules.

use rand::RngExt;
use std::io::{self, Write};

use super::{Obj, Rng, SyntheticOptions, index, pick, rng, write_records, xml};

struct Check {
    avd: &'static str,
    long_id: &'static str,
    provider: &'static str,
    service: &'static str,
    summary: &'static str,
    message: &'static str,
    impact: &'static str,
    resolution: &'static str,
    severity: &'static str,
    resource_type: &'static str,
    docs: &'static str,
    snippet: &'static str,
}

const CHECKS: &[Check] = &[
    Check {
        avd: "AVD-AWS-0088",
        long_id: "aws-s3-enable-bucket-encryption",
        provider: "aws",
        service: "s3",
        summary: "Unencrypted S3 bucket.",
        message: "Bucket does not have encryption enabled",
        impact: "The bucket objects could be read if compromised",
        resolution: "Configure bucket encryption",
        severity: "HIGH",
        resource_type: "aws_s3_bucket",
        docs: "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/s3_bucket#enable-default-server-side-encryption",
        snippet: "  bucket = \"logs-archive\"\n  acl    = \"private\"",
    },
    Check {
        avd: "AVD-AWS-0104",
        long_id: "aws-ec2-no-public-egress-sgr",
        provider: "aws",
        service: "ec2",
        summary: "An egress security group rule allows traffic to /0.",
        message: "Security group rule allows egress to multiple public internet addresses.",
        impact: "Your port is egressing data to the internet",
        resolution: "Set a more restrictive cidr range",
        severity: "CRITICAL",
        resource_type: "aws_security_group_rule",
        docs: "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/security_group",
        snippet: "  type        = \"egress\"\n  cidr_blocks = [\"0.0.0.0/0\"]",
    },
    Check {
        avd: "AVD-AWS-0124",
        long_id: "aws-ec2-add-description-to-security-group-rule",
        provider: "aws",
        service: "ec2",
        summary: "Missing description for security group rule.",
        message: "Security group rule does not have a description.",
        impact: "Descriptions provide context for the firewall rule reasons",
        resolution: "Add descriptions for all security groups rules",
        severity: "LOW",
        resource_type: "aws_security_group_rule",
        docs: "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/security_group_rule",
        snippet: "  from_port = 443\n  to_port   = 443",
    },
    Check {
        avd: "AVD-AWS-0028",
        long_id: "aws-ec2-enforce-http-token-imds",
        provider: "aws",
        service: "ec2",
        summary: "aws_instance should activate session tokens for Instance Metadata Service.",
        message: "Instance does not require IMDS access to require a token",
        impact: "Instance metadata service can be interacted with freely",
        resolution: "Enable HTTP token requirement for IMDS",
        severity: "HIGH",
        resource_type: "aws_instance",
        docs: "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/instance#metadata-options",
        snippet: "  ami           = var.ami_id\n  instance_type = \"t3.medium\"",
    },
    Check {
        avd: "AVD-AZU-0014",
        long_id: "azure-keyvault-ensure-key-expiry",
        provider: "azure",
        service: "keyvault",
        summary: "Ensure that the expiration date is set on all keys",
        message: "Key should have an expiry date specified.",
        impact: "Long life keys increase the attack surface when compromised",
        resolution: "Set an expiration date on the vault key",
        severity: "MEDIUM",
        resource_type: "azurerm_key_vault_key",
        docs: "https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/key_vault_key#expiration_date",
        snippet: "  key_type = \"RSA\"\n  key_size = 2048",
    },
    Check {
        avd: "AVD-GCP-0029",
        long_id: "google-compute-enable-vpc-flow-logs",
        provider: "google",
        service: "compute",
        summary: "VPC flow logs should be enabled for all subnetworks",
        message: "Subnetwork does not have VPC flow logs enabled.",
        impact: "Limited auditing capability and awareness",
        resolution: "Enable VPC flow logs",
        severity: "LOW",
        resource_type: "google_compute_subnetwork",
        docs: "https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/compute_subnetwork#enable_flow_logs",
        snippet: "  ip_cidr_range = \"10.2.0.0/16\"\n  region        = \"europe-west1\"",
    },
];

const MODULES: &[&str] = &[
    "network", "storage", "compute", "iam", "logging", "database", "dns",
];

/// One failed result: what all four formats share.
struct Result_ {
    check: &'static Check,
    /// Relative to the scanned directory.
    file: String,
    start: u32,
    end: u32,
    resource: String,
    name: String,
}

fn result(seed: u64, stream: u64, i: usize) -> (Result_, Rng) {
    let mut rng = rng(seed, stream, i);
    let check = &CHECKS[index(&mut rng, CHECKS.len())];
    let module = pick(&mut rng, MODULES);
    let start = rng.random_range(1..800);
    let name = format!(
        "{}_{i}",
        pick(&mut rng, &["main", "logs", "backup", "primary", "edge"])
    );
    (
        Result_ {
            check,
            file: format!(
                "modules/{module}/{}.tf",
                ["main", "resources", "variables"][i % 3]
            ),
            start,
            end: start + rng.random_range(0..20),
            resource: format!("module.{module}.{}.{name}", check.resource_type),
            name,
        },
        rng,
    )
}

fn link(check: &Check) -> String {
    format!(
        "https://aquasecurity.github.io/tfsec/v1.28.14/checks/{}/{}/{}/",
        check.provider,
        check.service,
        check
            .long_id
            .strip_prefix(&format!("{}-{}-", check.provider, check.service))
            .unwrap_or(check.long_id)
    )
}

fn root(seed: u64) -> String {
    format!("/home/runner/work/infra-{}/infra/terraform", seed % 100)
}

/// `tfsec --format json` (v1: integer `status`, AVD `rule_id`, `long_id`, `resource`).
pub(super) fn write_json(out: &mut dyn Write, options: &SyntheticOptions) -> io::Result<()> {
    let root = root(options.seed);
    out.write_all(b"{\n\t\"results\": [")?;
    write_records(out, options.findings, "\t\t", |i| {
        let (r, _) = result(options.seed, 60, i);
        let c = r.check;
        Obj::new()
            .s("rule_id", c.avd)
            .s("long_id", c.long_id)
            .s("rule_description", c.summary)
            .s("rule_provider", c.provider)
            .s("rule_service", c.service)
            .s("impact", c.impact)
            .s("resolution", c.resolution)
            .strs("links", [link(c).as_str(), c.docs])
            .s("description", c.message)
            .s("severity", c.severity)
            .raw("warning", false)
            .raw("status", 0)
            .s("resource", &r.resource)
            .raw(
                "location",
                Obj::new()
                    .s("filename", &format!("{root}/{}", r.file))
                    .raw("start_line", r.start)
                    .raw("end_line", r.end)
                    .done(),
            )
            .done()
    })?;
    out.write_all(b"\n\t]\n}\n")
}

/// `tfsec --format csv`.
pub(super) fn write_csv(out: &mut dyn Write, options: &SyntheticOptions) -> io::Result<()> {
    let mut w = csv::WriterBuilder::new().from_writer(out);
    w.write_record([
        "file",
        "start_line",
        "end_line",
        "rule_id",
        "severity",
        "description",
        "link",
        "passed",
    ])
    .map_err(io::Error::other)?;
    for i in 0..options.findings {
        let (r, _) = result(options.seed, 61, i);
        let c = r.check;
        w.write_record([
            r.file.as_str(),
            &r.start.to_string(),
            &r.end.to_string(),
            c.long_id,
            c.severity,
            c.message,
            &link(c),
            "false",
        ])
        .map_err(io::Error::other)?;
    }
    w.flush()
}

/// `tfsec --format checkstyle`: one `<file>` per run of results in the same file.
pub(super) fn write_checkstyle(out: &mut dyn Write, options: &SyntheticOptions) -> io::Result<()> {
    out.write_all(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"5.0\">\n")?;
    let mut open: Option<String> = None;
    for i in 0..options.findings {
        let (r, _) = result(options.seed, 62, i);
        let c = r.check;
        if open.as_deref() != Some(r.file.as_str()) {
            if open.is_some() {
                out.write_all(b"\t</file>\n")?;
            }
            writeln!(out, "\t<file name=\"{}\">", xml(&r.file))?;
            open = Some(r.file.clone());
        }
        let severity = match c.severity {
            "CRITICAL" | "HIGH" => "error",
            "MEDIUM" => "warning",
            _ => "info",
        };
        writeln!(
            out,
            "\t\t<error source=\"{}\" line=\"{}\" column=\"0\" severity=\"{severity}\" message=\"{}\" link=\"{}\"></error>",
            c.long_id,
            r.start,
            xml(c.message),
            link(c)
        )?;
    }
    if open.is_some() {
        out.write_all(b"\t</file>\n")?;
    }
    out.write_all(b"</checkstyle>\n")
}

/// `tfsec --format junit`: one failed test case per result, the code in the failure body.
pub(super) fn write_junit(out: &mut dyn Write, options: &SyntheticOptions) -> io::Result<()> {
    let n = options.findings;
    write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"tfsec\" failures=\"{n}\" tests=\"{n}\">\n"
    )?;
    for i in 0..n {
        let (r, _) = result(options.seed, 63, i);
        let c = r.check;
        let range = if r.end > r.start {
            format!("{}-{}", r.start, r.end)
        } else {
            r.start.to_string()
        };
        let body = format!(
            "{}:{range}\n\nresource \"{}\" \"{}\" {{\n{}\n}}\n\nSee {}",
            r.file,
            c.resource_type,
            r.name,
            c.snippet,
            link(c)
        );
        write!(
            out,
            "\t<testcase classname=\"{}\" name=\"{}\" time=\"0\">\n\t\t<failure message=\"{}\" type=\"\">{}</failure>\n\t</testcase>\n",
            xml(&r.file),
            xml(&format!("[{}][{}] - {}", c.long_id, c.severity, c.message)),
            xml(c.message),
            xml(&body)
        )?;
    }
    out.write_all(b"</testsuite>\n")
}
