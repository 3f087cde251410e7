//! Synthetic Checkov JSON (`checkov-json`): the list of per-framework reports Checkov writes
//! when several ran, terraform and kubernetes, each failed check with its code block, resource,
//! line range and guideline; a few passed checks and a summary per framework.

use std::io::{self, Write};

use super::{Obj, SyntheticOptions, index, raw_list, rng, write_records};

/// (check id, check name, resource type, framework, first code line)
const CHECKS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "CKV_AWS_18",
        "Ensure the S3 bucket has access logging enabled",
        "aws_s3_bucket",
        "terraform",
        "resource \"aws_s3_bucket\" \"{name}\" {\n",
    ),
    (
        "CKV_AWS_21",
        "Ensure all data stored in the S3 bucket have versioning enabled",
        "aws_s3_bucket",
        "terraform",
        "resource \"aws_s3_bucket\" \"{name}\" {\n",
    ),
    (
        "CKV_AWS_79",
        "Ensure Instance Metadata Service Version 1 is not enabled",
        "aws_instance",
        "terraform",
        "resource \"aws_instance\" \"{name}\" {\n",
    ),
    (
        "CKV_K8S_20",
        "Containers should not run with allowPrivilegeEscalation",
        "Deployment",
        "kubernetes",
        "apiVersion: apps/v1\n",
    ),
    (
        "CKV_K8S_28",
        "Minimize the admission of containers with the NET_RAW capability",
        "Deployment",
        "kubernetes",
        "apiVersion: apps/v1\n",
    ),
];

fn record(options: &SyntheticOptions, i: usize, framework: &str) -> Option<String> {
    let mut r = rng(options.seed, 82, i);
    let (id, name, kind, fw, line) = CHECKS[index(&mut r, CHECKS.len())];
    if fw != framework {
        return None;
    }
    let resource_name = format!("svc_{i:05}");
    let (file, resource) = if fw == "kubernetes" {
        (
            format!("/k8s/svc-{i:05}.yaml"),
            format!("{kind}.default.svc-{i:05}"),
        )
    } else {
        (
            format!("/modules/m{:03}/main.tf", i / 20),
            format!("{kind}.{resource_name}"),
        )
    };
    let start = 1 + index(&mut r, 200);
    let code = raw_list([
        format!(
            "[{start}, {}]",
            super::js(&line.replace("{name}", &resource_name))
        ),
        format!("[{}, \"  tags = local.tags\\n\"]", start + 1),
    ]);
    Some(
        Obj::new()
            .s("check_id", id)
            .raw("bc_check_id", "null")
            .s("check_name", name)
            .raw(
                "check_result",
                Obj::new()
                    .s("result", "FAILED")
                    .strs("evaluated_keys", ["tags"])
                    .done(),
            )
            .raw("code_block", code)
            .s("file_path", &file)
            .s(
                "file_abs_path",
                &format!("/home/runner/work/shop/shop{file}"),
            )
            .s("repo_file_path", &file)
            .raw("file_line_range", format!("[{start}, {}]", start + 12))
            .s("resource", &resource)
            .raw("evaluations", "null")
            .s("check_class", "checkov.common.checks.synthetic")
            .raw("severity", "null")
            .s(
                "guideline",
                &format!(
                    "https://docs.prismacloud.io/en/enterprise-edition/policy-reference/{}",
                    id.to_ascii_lowercase()
                ),
            )
            .done(),
    )
}

/// `checkov -d . -o json` over terraform and kubernetes.
pub(super) fn write_json(out: &mut dyn Write, options: &SyntheticOptions) -> io::Result<()> {
    out.write_all(b"[")?;
    for (k, framework) in ["terraform", "kubernetes"].into_iter().enumerate() {
        if k > 0 {
            out.write_all(b",")?;
        }
        write!(
            out,
            "\n{{\"check_type\": \"{framework}\", \"results\": {{\"passed_checks\": [], \"failed_checks\": ["
        )?;
        let mine: Vec<usize> = (0..options.findings)
            .filter(|&i| record(options, i, framework).is_some())
            .collect();
        write_records(out, mine.len(), "  ", |k| {
            record(options, mine[k], framework).unwrap_or_default()
        })?;
        write!(
            out,
            "\n], \"skipped_checks\": [], \"parsing_errors\": []}}, \"summary\": {{\"passed\": 0, \"failed\": {}, \"skipped\": 0, \"parsing_errors\": 0, \"resource_count\": {}, \"checkov_version\": \"3.2.255\"}}}}",
            mine.len(),
            mine.len()
        )?;
    }
    out.write_all(b"\n]\n")
}
