//! Synthetic AWS reports: Amazon Inspector2 `list-findings` (`aws-inspector2-json`), Security
//! Hub ASFF (`aws-securityhub-asff-json`) and ECR `describe-image-scan-findings`
//! (`aws-ecr-scan-json`). Package findings on an ECR image and a Lambda function (advisories
//! from the phrase bank, Inspector's CVSS and EPSS fields), a code finding every tenth record
//! and a network reachability finding every twentieth (Inspector2), Security Hub control
//! failures on security groups and buckets every fourth record (ASFF). Every record has its own
//! advisory id, file or resource, so nothing merges.

use rand::RngExt;
use std::io::{self, Write};

use super::advisory::{DEBIAN, PYTHON, Package, advisory, versions};
use super::{Obj, Rng, SyntheticOptions, hex, index, js, raw_list, rng, weighted, write_records};

const ACCOUNT: &str = "111122223333";
const REGION: &str = "eu-west-1";
const REPOSITORY: &str = "shop/api";
const SEVERITIES: &[&str] = &["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL"];
const SEVERITY_WEIGHTS: &[u32] = &[5, 20, 40, 30, 5];
const SCORES: &[f64] = &[9.8, 7.5, 5.3, 3.1, 0.0];
const VECTOR: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";

/// The code detectors Inspector's Lambda code scanning reports (rule id, name, CWE, file).
const DETECTORS: &[(&str, &str, &str, &str)] = &[
    (
        "python-log-injection",
        "Log injection",
        "CWE-117",
        "src/api/handlers.py",
    ),
    (
        "python-sql-injection",
        "SQL injection",
        "CWE-89",
        "src/store/queries.py",
    ),
    (
        "python-path-traversal",
        "Path traversal",
        "CWE-22",
        "src/files/download.py",
    ),
    (
        "python-hardcoded-credentials",
        "Hardcoded credentials",
        "CWE-798",
        "src/config.py",
    ),
];

/// Security Hub controls (id, title, resource type, ARN prefix).
const CONTROLS: &[(&str, &str, &str, &str)] = &[
    (
        "EC2.2",
        "VPC default security groups should not allow inbound or outbound traffic",
        "AwsEc2SecurityGroup",
        "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-",
    ),
    (
        "EC2.19",
        "Security groups should not allow unrestricted access to ports with high risk",
        "AwsEc2SecurityGroup",
        "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-",
    ),
    (
        "S3.8",
        "S3 general purpose buckets should block public access",
        "AwsS3Bucket",
        "arn:aws:s3:::shop-artifacts-",
    ),
    (
        "S3.5",
        "S3 general purpose buckets should require requests to use SSL",
        "AwsS3Bucket",
        "arn:aws:s3:::shop-reports-",
    ),
];

/// One package finding's parts, shared by the three formats.
struct PackageFinding {
    id: String,
    package: &'static Package,
    version: String,
    fixed: String,
    description: String,
    severity: usize,
    epss: f64,
    python: bool,
}

fn package_finding(rng: &mut Rng, seed: u64, i: usize) -> PackageFinding {
    let python = i % 3 == 1;
    let packages = if python { PYTHON } else { DEBIAN };
    let package = &packages[index(rng, packages.len())];
    let (version, fixed) = versions(rng, package, !python);
    let advisory = advisory(rng, package, &fixed);
    let severity = weighted(rng, SEVERITY_WEIGHTS);
    PackageFinding {
        id: format!("CVE-{}-{}", 2016 + (i + seed as usize) % 10, 20_000 + i),
        package,
        version,
        fixed,
        description: advisory.description,
        severity,
        epss: f64::from(rng.random_range(1..9000u32)) / 100_000.0,
        python,
    }
}

fn image_resource(digest: &str) -> String {
    Obj::new()
        .s("type", "AWS_ECR_CONTAINER_IMAGE")
        .s(
            "id",
            &format!("arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{REPOSITORY}/sha256:{digest}"),
        )
        .s("partition", "aws")
        .s("region", REGION)
        .raw(
            "details",
            Obj::new()
                .raw(
                    "awsEcrContainerImage",
                    Obj::new()
                        .s("architecture", "amd64")
                        .s("imageHash", &format!("sha256:{digest}"))
                        .strs("imageTags", ["4.2.0"])
                        .s("platform", "DEBIAN_12")
                        .s("pushedAt", "2026-11-02T09:10:02+00:00")
                        .s("registry", ACCOUNT)
                        .s("repositoryName", REPOSITORY)
                        .done(),
                )
                .done(),
        )
        .done()
}

fn lambda_resource() -> String {
    let arn = format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:shop-orders-api:$LATEST");
    Obj::new()
        .s("type", "AWS_LAMBDA_FUNCTION")
        .s("id", &arn)
        .s("partition", "aws")
        .s("region", REGION)
        .raw(
            "details",
            Obj::new()
                .raw(
                    "awsLambdaFunction",
                    Obj::new()
                        .s("functionName", "shop-orders-api")
                        .s("runtime", "PYTHON_3_12")
                        .s("version", "$LATEST")
                        .s("packageType", "ZIP")
                        .done(),
                )
                .done(),
        )
        .done()
}

/// An Inspector2 record of a package finding (`score_names`: Inspector2's or ECR's names).
fn inspector_package(rng: &mut Rng, seed: u64, i: usize, digest: &str, ecr: bool) -> String {
    let p = package_finding(rng, seed, i);
    let score = SCORES[p.severity];
    let package = Obj::new()
        .s("name", p.package.name)
        .s("version", &p.version)
        .raw("epoch", 0)
        .s("packageManager", if p.python { "PIP" } else { "OS" })
        .s("fixedInVersion", &p.fixed)
        .s(
            "remediation",
            &if p.python {
                format!("pip install --upgrade {}=={}", p.package.name, p.fixed)
            } else {
                format!("apt-get install --only-upgrade {}", p.package.name)
            },
        )
        .s("sourceLayerHash", &format!("sha256:{}", hex(rng, 64)))
        .done();
    let details = Obj::new()
        .s("vulnerabilityId", &p.id)
        .raw("vulnerablePackages", raw_list([package]))
        .s("source", "NVD")
        .raw(
            "cvss",
            raw_list([Obj::new()
                .raw("baseScore", score)
                .s("scoringVector", VECTOR)
                .s("version", "3.1")
                .s("source", "NVD")
                .done()]),
        )
        .strs("relatedVulnerabilities", Vec::<String>::new())
        .s(
            "sourceUrl",
            &format!("https://nvd.nist.gov/vuln/detail/{}", p.id),
        )
        .s("vendorSeverity", SEVERITIES[p.severity])
        .strs(
            "referenceUrls",
            [format!("https://security.example.org/advisories/{}", p.id)],
        )
        .done();
    let cvss = Obj::new()
        .raw("adjustments", "[]")
        .raw("score", score)
        .s("scoreSource", "NVD")
        .s("scoringVector", VECTOR)
        .s("version", "3.1")
        .done();
    let resource = if !ecr && i % 5 == 4 {
        lambda_resource()
    } else {
        image_resource(digest)
    };
    let (score_key, details_key, cvss_key) = if ecr {
        ("score", "scoreDetails", "cvss")
    } else {
        ("inspectorScore", "inspectorScoreDetails", "adjustedCvss")
    };
    Obj::new()
        .s("awsAccountId", ACCOUNT)
        .s("description", &p.description)
        .s(
            "findingArn",
            &format!(
                "arn:aws:inspector2:{REGION}:{ACCOUNT}:finding/{}",
                hex(rng, 32)
            ),
        )
        .s("firstObservedAt", "2026-11-02T09:12:44.120000+00:00")
        .s("lastObservedAt", "2026-11-03T07:03:10.400000+00:00")
        .raw(score_key, score)
        .raw(details_key, Obj::new().raw(cvss_key, cvss).done())
        .raw("packageVulnerabilityDetails", details)
        .raw(
            "remediation",
            Obj::new()
                .raw(
                    "recommendation",
                    Obj::new().s("text", "None Provided").done(),
                )
                .done(),
        )
        .raw("resources", raw_list([resource]))
        .s("severity", SEVERITIES[p.severity])
        .s("status", "ACTIVE")
        .s("title", &format!("{} - {}", p.id, p.package.name))
        .s("type", "PACKAGE_VULNERABILITY")
        .s("updatedAt", "2026-11-03T07:03:10.400000+00:00")
        .s("fixAvailable", "YES")
        .s(
            "exploitAvailable",
            if p.severity == 0 { "YES" } else { "NO" },
        )
        .raw("epss", Obj::new().raw("score", p.epss).done())
        .done()
}

fn inspector_code(rng: &mut Rng, i: usize) -> String {
    let (rule, name, cwe, file) = DETECTORS[index(rng, DETECTORS.len())];
    let line = 20 + i % 400;
    Obj::new()
        .s("findingArn", &format!("arn:aws:inspector2:{REGION}:{ACCOUNT}:finding/{}", hex(rng, 32)))
        .s("awsAccountId", ACCOUNT)
        .s("type", "CODE_VULNERABILITY")
        .s("description", &format!("{name}: input from the request reaches a sensitive call without being validated first."))
        .s("title", &format!("{cwe} - {name}"))
        .raw("remediation", Obj::new().raw("recommendation", Obj::new().s("text", "Validate and encode the value before it reaches the call.").done()).done())
        .s("severity", "HIGH")
        .s("status", "ACTIVE")
        .raw("resources", raw_list([lambda_resource()]))
        .raw(
            "codeVulnerabilityDetails",
            Obj::new()
                .raw(
                    "filePath",
                    Obj::new()
                        .s("fileName", file.rsplit('/').next().unwrap_or(file))
                        .s("filePath", file)
                        .raw("startLine", line)
                        .raw("endLine", line)
                        .done(),
                )
                .strs("detectorTags", ["injection", "security"])
                .strs("referenceUrls", Vec::<String>::new())
                .s("ruleId", rule)
                .s("detectorId", &format!("python/{}@v1.0", rule.trim_start_matches("python-")))
                .s("detectorName", name)
                .strs("cwes", [cwe])
                .done(),
        )
        .done()
}

fn inspector_network(rng: &mut Rng, i: usize) -> String {
    let port = [22, 3389, 5432, 6379][i % 4];
    let instance = format!("i-0{}", hex(rng, 16));
    Obj::new()
        .s("findingArn", &format!("arn:aws:inspector2:{REGION}:{ACCOUNT}:finding/{}", hex(rng, 32)))
        .s("awsAccountId", ACCOUNT)
        .s("type", "NETWORK_REACHABILITY")
        .s("description", &format!("On the instance {instance}, TCP port {port} is reachable from an Internet Gateway through an open security group."))
        .s("title", &format!("Port {port} is reachable from an Internet Gateway - TCP"))
        .s("severity", "MEDIUM")
        .s("status", "ACTIVE")
        .raw(
            "resources",
            raw_list([Obj::new()
                .s("type", "AWS_EC2_INSTANCE")
                .s("id", &instance)
                .s("region", REGION)
                .raw("details", Obj::new().raw("awsEc2Instance", Obj::new().s("platform", "AMAZON_LINUX_2023").s("imageId", "ami-0a1b2c3d4e5f67890").done()).done())
                .done()]),
        )
        .raw(
            "networkReachabilityDetails",
            Obj::new()
                .s("protocol", "TCP")
                .raw("openPortRange", Obj::new().raw("begin", port).raw("end", port).done())
                .raw(
                    "networkPath",
                    Obj::new()
                        .raw(
                            "steps",
                            raw_list([
                                Obj::new().s("componentId", &format!("igw-{}", hex(rng, 17))).s("componentType", "IGW").done(),
                                Obj::new().s("componentId", &format!("sg-{}", hex(rng, 17))).s("componentType", "SECURITY_GROUP").done(),
                            ]),
                        )
                        .done(),
                )
                .done(),
        )
        .done()
}

/// Writes `{"KEY": [records]}`, record `i` made by `record(rng, i)` from its own random stream.
fn write_findings(
    out: &mut dyn Write,
    options: &SyntheticOptions,
    key: &str,
    stream: u64,
    mut record: impl FnMut(&mut Rng, usize) -> String,
) -> io::Result<()> {
    write!(out, "{{\n  {}: [", js(key))?;
    write_records(out, options.findings, "    ", |i| {
        record(&mut rng(options.seed, stream, i), i)
    })?;
    out.write_all(b"\n  ]\n}\n")
}

/// The image digest of a seed's reports.
fn digest(options: &SyntheticOptions, stream: u64) -> String {
    hex(&mut rng(options.seed, stream, usize::MAX), 64)
}

/// `aws inspector2 list-findings` output.
pub(crate) fn write_inspector2(out: &mut dyn Write, options: &SyntheticOptions) -> io::Result<()> {
    let digest = digest(options, 40);
    write_findings(out, options, "findings", 41, |rng, i| match i % 20 {
        9 => inspector_code(rng, i),
        19 => inspector_network(rng, i),
        _ => inspector_package(rng, options.seed, i, &digest, false),
    })
}

fn asff_common(
    id: &str,
    product: &str,
    generator: &str,
    title: &str,
    description: &str,
    severity: &str,
) -> Obj {
    Obj::new()
        .s("SchemaVersion", "2018-10-08")
        .s("Id", id)
        .s(
            "ProductArn",
            &format!(
                "arn:aws:securityhub:{REGION}::product/aws/{}",
                product.to_lowercase().replace(' ', "")
            ),
        )
        .s("ProductName", product)
        .s("CompanyName", "AWS")
        .s("Region", REGION)
        .s("GeneratorId", generator)
        .s("AwsAccountId", ACCOUNT)
        .s("FirstObservedAt", "2026-11-02T09:12:44Z")
        .s("LastObservedAt", "2026-11-03T07:03:10Z")
        .s("CreatedAt", "2026-11-02T09:12:44Z")
        .s("UpdatedAt", "2026-11-03T07:03:10Z")
        .raw("Severity", Obj::new().s("Label", severity).done())
        .s("Title", title)
        .s("Description", description)
}

fn asff_inspector(rng: &mut Rng, seed: u64, i: usize, digest: &str) -> String {
    let p = package_finding(rng, seed, i);
    let arn = format!(
        "arn:aws:inspector2:{REGION}:{ACCOUNT}:finding/{}",
        hex(rng, 32)
    );
    let resource_id =
        format!("arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{REPOSITORY}/sha256:{digest}");
    let package = Obj::new()
        .s("Name", p.package.name)
        .s("Version", &p.version)
        .s("Epoch", "0")
        .s("PackageManager", if p.python { "PIP" } else { "OS" })
        .s("FixedInVersion", &p.fixed)
        .done();
    let vulnerability = Obj::new()
        .s("Id", &p.id)
        .raw("VulnerablePackages", raw_list([package]))
        .raw(
            "Cvss",
            raw_list([Obj::new()
                .s("Version", "3.1")
                .raw("BaseScore", SCORES[p.severity])
                .s("BaseVector", VECTOR)
                .s("Source", "NVD")
                .done()]),
        )
        .raw(
            "Vendor",
            Obj::new()
                .s("Name", "NVD")
                .s("Url", &format!("https://nvd.nist.gov/vuln/detail/{}", p.id))
                .s("VendorSeverity", SEVERITIES[p.severity])
                .done(),
        )
        .strs(
            "ReferenceUrls",
            [format!("https://security.example.org/advisories/{}", p.id)],
        )
        .s("FixAvailable", "YES")
        .s("ExploitAvailable", "NO")
        .raw("EpssScore", p.epss)
        .done();
    asff_common(
        &arn,
        "Inspector",
        "AWSInspector",
        &format!("{} - {}", p.id, p.package.name),
        &p.description,
        SEVERITIES[p.severity],
    )
    .strs(
        "Types",
        ["Software and Configuration Checks/Vulnerabilities/CVE"],
    )
    .raw(
        "ProductFields",
        Obj::new()
            .s("aws/inspector/FindingStatus", "ACTIVE")
            .s(
                "aws/inspector/inspectorScore",
                &SCORES[p.severity].to_string(),
            )
            .s("aws/securityhub/ProductName", "Inspector")
            .s("aws/securityhub/CompanyName", "Amazon")
            .done(),
    )
    .raw(
        "Resources",
        raw_list([Obj::new()
            .s("Type", "AwsEcrContainerImage")
            .s("Id", &resource_id)
            .s("Partition", "aws")
            .s("Region", REGION)
            .done()]),
    )
    .raw("Workflow", Obj::new().s("Status", "NEW").done())
    .s("RecordState", "ACTIVE")
    .raw("Vulnerabilities", raw_list([vulnerability]))
    .done()
}

fn asff_control(rng: &mut Rng, i: usize) -> String {
    let (control, title, resource_type, prefix) = CONTROLS[i % CONTROLS.len()];
    let resource = format!("{prefix}{}", hex(rng, 17));
    let id = format!(
        "arn:aws:securityhub:{REGION}:{ACCOUNT}:security-control/{control}/finding/{}",
        super::uuid(rng)
    );
    let severity = if control.starts_with("S3") {
        "HIGH"
    } else {
        "MEDIUM"
    };
    asff_common(&id, "Security Hub", &format!("security-control/{control}"), &format!("{control} {title}"), &format!("This control checks whether {}.", title.to_lowercase()), severity)
        .strs("Types", ["Software and Configuration Checks/Industry and Regulatory Standards"])
        .raw(
            "Remediation",
            Obj::new()
                .raw(
                    "Recommendation",
                    Obj::new()
                        .s("Text", "For information on how to correct this issue, consult the AWS Security Hub controls documentation.")
                        .s("Url", &format!("https://docs.aws.amazon.com/console/securityhub/{control}/remediation"))
                        .done(),
                )
                .done(),
        )
        .raw(
            "ProductFields",
            Obj::new()
                .s("RelatedAWSResources:0/type", "AWS::Config::ConfigRule")
                .s("aws/securityhub/ProductName", "Security Hub")
                .s("aws/securityhub/CompanyName", "AWS")
                .done(),
        )
        .raw(
            "Resources",
            raw_list([Obj::new().s("Type", resource_type).s("Id", &resource).s("Partition", "aws").s("Region", REGION).done()]),
        )
        .raw(
            "Compliance",
            Obj::new()
                .s("Status", "FAILED")
                .s("SecurityControlId", control)
                .strs("RelatedRequirements", ["NIST.800-53.r5 SC-7", "CIS AWS Foundations Benchmark v3.0.0/5.2"])
                .done(),
        )
        .raw("Workflow", Obj::new().s("Status", if i % 17 == 3 { "SUPPRESSED" } else { "NEW" }).done())
        .s("RecordState", "ACTIVE")
        .done()
}

/// `aws securityhub get-findings` output.
pub(crate) fn write_securityhub(out: &mut dyn Write, options: &SyntheticOptions) -> io::Result<()> {
    let digest = digest(options, 42);
    write_findings(out, options, "Findings", 43, |rng, i| {
        if i % 4 == 3 {
            asff_control(rng, i)
        } else {
            asff_inspector(rng, options.seed, i, &digest)
        }
    })
}

/// `aws ecr describe-image-scan-findings` output: basic findings for the first half of the
/// records, enhanced (Inspector's) for the second.
pub(crate) fn write_ecr(out: &mut dyn Write, options: &SyntheticOptions) -> io::Result<()> {
    let digest = digest(options, 44);
    let basic = options.findings / 2;
    out.write_all(b"{\n  \"imageScanFindings\": {\n    \"findings\": [")?;
    write_records(out, basic, "      ", |i| {
        let mut rng = rng(options.seed, 45, i);
        let p = package_finding(&mut rng, options.seed, i);
        let attribute = |key: &str, value: &str| Obj::new().s("key", key).s("value", value).done();
        Obj::new()
            .s("name", &p.id)
            .s("description", &p.description)
            .s(
                "uri",
                &format!("https://security-tracker.debian.org/tracker/{}", p.id),
            )
            .s("severity", SEVERITIES[p.severity])
            .raw(
                "attributes",
                raw_list([
                    attribute("package_version", &p.version),
                    attribute("package_name", p.package.name),
                    attribute("CVSS3_VECTOR", VECTOR),
                    attribute("CVSS3_SCORE", &SCORES[p.severity].to_string()),
                ]),
            )
            .done()
    })?;
    out.write_all(b"\n    ],\n    \"enhancedFindings\": [")?;
    write_records(out, options.findings - basic, "      ", |k| {
        let i = basic + k;
        let mut rng = rng(options.seed, 46, i);
        inspector_package(&mut rng, options.seed, i, &digest, true)
    })?;
    write!(
        out,
        "\n    ],\n    \"imageScanCompletedAt\": \"2026-11-03T07:03:10+00:00\"\n  }},\n  \"registryId\": {},\n  \"repositoryName\": {},\n  \"imageId\": {{\"imageDigest\": {}, \"imageTag\": \"4.2.0\"}},\n  \"imageScanStatus\": {{\"status\": \"COMPLETE\", \"description\": \"The scan was completed successfully.\"}}\n}}\n",
        js(ACCOUNT),
        js(REPOSITORY),
        js(&format!("sha256:{digest}"))
    )
}
