//! Prometheus metrics: requests and latency by route and status, uploads and findings imported
//! (also per tool, with the import's duration), gate results per project, the database pool,
//! open findings and SLA breaches by severity, and the periodic audit chain check, served as
//! text at `/metrics`.

use domain::GateVerdict;
use importers::Severity;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long the open-findings and SLA gauges are reused before a scrape recounts them: the
/// count reads every project's SLA view, so it runs at most this often per replica.
pub const FINDINGS_GAUGES_MAX_AGE: Duration = Duration::from_secs(60);

/// Open findings and SLA breaches by severity, summed over every project's latest release.
#[derive(Debug, Clone, Default)]
pub struct FindingsBySeverity {
    pub open: Vec<(Severity, u64)>,
    pub breached: Vec<(Severity, u64)>,
}

pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    uploads: IntCounterVec,
    findings_imported: IntCounter,
    pool_connections: IntGauge,
    pool_idle: IntGauge,
    audit_chain_verified: IntGauge,
    audit_chain_failures: IntCounter,
    audit_chain_anchors: IntGauge,
    audit_chain_checked_at: IntGauge,
    imports: IntCounterVec,
    import_findings: IntCounterVec,
    import_duration: HistogramVec,
    gates: IntCounterVec,
    open_findings: IntGaugeVec,
    sla_breaches: IntGaugeVec,
    /// When the findings gauges were last counted (`None`: never).
    counted_at: Mutex<Option<Instant>>,
}

impl Metrics {
    pub fn new() -> Result<Metrics, prometheus::Error> {
        let registry = Registry::new_custom(Some("scanledger".into()), None)?;
        let requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests by route, method and status",
            ),
            &["route", "method", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "HTTP request latency by route, method and status",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
            ]),
            &["route", "method", "status"],
        )?;
        let uploads = IntCounterVec::new(
            Opts::new(
                "uploads_total",
                "Uploaded reports by outcome (imported, duplicate, rejected)",
            ),
            &["outcome"],
        )?;
        let findings_imported = IntCounter::new(
            "findings_imported_total",
            "Findings (distinct per scan) imported from uploads",
        )?;
        let pool_connections = IntGauge::new(
            "db_pool_connections",
            "Database connections open in the pool",
        )?;
        let pool_idle = IntGauge::new("db_pool_idle_connections", "Idle database connections")?;
        let audit_chain_verified = IntGauge::new(
            "audit_chain_verified",
            "1 when the last audit check found the hash chain intact and every head a stored bundle signed in it; 0 otherwise (and before the first check)",
        )?;
        let audit_chain_failures = IntCounter::new(
            "audit_chain_check_failures_total",
            "Audit checks that found the chain broken, a signed head missing, or could not run",
        )?;
        let audit_chain_anchors = IntGauge::new(
            "audit_chain_anchors",
            "Stored bundles signed by a trusted key whose chain head the last audit check looked up",
        )?;
        let audit_chain_checked_at = IntGauge::new(
            "audit_chain_last_check_timestamp_seconds",
            "When the last audit check ran (Unix time)",
        )?;
        let imports = IntCounterVec::new(
            Opts::new("imports_total", "Reports imported as new scans, by tool"),
            &["tool"],
        )?;
        let import_findings = IntCounterVec::new(
            Opts::new(
                "import_findings_total",
                "Findings (distinct per scan) imported from uploads, by tool",
            ),
            &["tool"],
        )?;
        let import_duration = HistogramVec::new(
            HistogramOpts::new(
                "import_duration_seconds",
                "Time an uploaded report took to import (store transaction), by tool",
            )
            .buckets(vec![
                0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0,
            ]),
            &["tool"],
        )?;
        let gates = IntCounterVec::new(
            Opts::new(
                "gate_evaluations_total",
                "Gate evaluations recorded through the API (CI's POST of the gate) by project and result (pass, blocked)",
            ),
            &["project", "result"],
        )?;
        let open_findings = IntGaugeVec::new(
            Opts::new(
                "open_findings",
                "Open findings by severity in every project's latest release (recounted at most once a minute)",
            ),
            &["severity"],
        )?;
        let sla_breaches = IntGaugeVec::new(
            Opts::new(
                "sla_breaches",
                "Open findings past their SLA by severity in every project's latest release (recounted at most once a minute)",
            ),
            &["severity"],
        )?;
        // Known outcomes start at zero, so the series exist before the first upload.
        for outcome in ["imported", "duplicate", "rejected"] {
            uploads.with_label_values(&[outcome]);
        }
        for severity in Severity::DESCENDING {
            open_findings.with_label_values(&[severity.as_str()]);
            sla_breaches.with_label_values(&[severity.as_str()]);
        }
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(uploads.clone()))?;
        registry.register(Box::new(findings_imported.clone()))?;
        registry.register(Box::new(pool_connections.clone()))?;
        registry.register(Box::new(pool_idle.clone()))?;
        registry.register(Box::new(audit_chain_verified.clone()))?;
        registry.register(Box::new(audit_chain_failures.clone()))?;
        registry.register(Box::new(audit_chain_anchors.clone()))?;
        registry.register(Box::new(audit_chain_checked_at.clone()))?;
        registry.register(Box::new(imports.clone()))?;
        registry.register(Box::new(import_findings.clone()))?;
        registry.register(Box::new(import_duration.clone()))?;
        registry.register(Box::new(gates.clone()))?;
        registry.register(Box::new(open_findings.clone()))?;
        registry.register(Box::new(sla_breaches.clone()))?;
        Ok(Metrics {
            audit_chain_verified,
            audit_chain_failures,
            audit_chain_anchors,
            audit_chain_checked_at,
            registry,
            requests,
            latency,
            uploads,
            findings_imported,
            pool_connections,
            pool_idle,
            imports,
            import_findings,
            import_duration,
            gates,
            open_findings,
            sla_breaches,
            counted_at: Mutex::new(None),
        })
    }

    /// A report imported as a new scan: its tool, findings and how long the import took.
    pub fn imported(&self, tool: &str, findings: u64, seconds: f64) {
        self.imports.with_label_values(&[tool]).inc();
        self.import_findings
            .with_label_values(&[tool])
            .inc_by(findings);
        self.import_duration
            .with_label_values(&[tool])
            .observe(seconds);
    }

    pub fn gate(&self, project: &str, verdict: GateVerdict) {
        let result = match verdict {
            GateVerdict::Passed => "pass",
            GateVerdict::Blocked => "blocked",
        };
        self.gates.with_label_values(&[project, result]).inc();
    }

    /// Whether the findings gauges are due for a recount; when they are, the caller is the one
    /// that recounts (the time is taken now, so concurrent scrapes do not all recount).
    pub fn findings_gauges_due(&self) -> bool {
        let Ok(mut at) = self.counted_at.lock() else {
            return false;
        };
        match *at {
            Some(t) if t.elapsed() < FINDINGS_GAUGES_MAX_AGE => false,
            _ => {
                *at = Some(Instant::now());
                true
            }
        }
    }

    pub fn set_findings_gauges(&self, counts: &FindingsBySeverity) {
        for (severity, n) in &counts.open {
            self.open_findings
                .with_label_values(&[severity.as_str()])
                .set(i64::try_from(*n).unwrap_or(i64::MAX));
        }
        for (severity, n) in &counts.breached {
            self.sla_breaches
                .with_label_values(&[severity.as_str()])
                .set(i64::try_from(*n).unwrap_or(i64::MAX));
        }
    }

    pub fn observe_request(&self, route: &str, method: &str, status: u16, seconds: f64) {
        let status = status.to_string();
        let labels = [route, method, status.as_str()];
        self.requests.with_label_values(&labels).inc();
        self.latency.with_label_values(&labels).observe(seconds);
    }

    pub fn upload(&self, outcome: &str, findings: u64) {
        self.uploads.with_label_values(&[outcome]).inc();
        self.findings_imported.inc_by(findings);
    }

    /// Records an audit check: intact (with this many bundle anchors) or not.
    pub fn audit_check(&self, verified: bool, anchors: usize) {
        self.audit_chain_verified.set(i64::from(verified));
        if !verified {
            self.audit_chain_failures.inc();
        }
        self.audit_chain_anchors.set(anchors as i64);
        self.audit_chain_checked_at
            .set(chrono::Utc::now().timestamp());
    }

    /// The last audit check's verdict (1 intact, 0 broken or not yet run).
    pub fn audit_chain_verified(&self) -> bool {
        self.audit_chain_verified.get() == 1
    }

    /// The text exposition, with the pool state as of now.
    pub fn render(&self, pool: schema::PoolState) -> Result<String, prometheus::Error> {
        self.pool_connections.set(i64::from(pool.connections));
        self.pool_idle.set(i64::from(pool.idle));
        let mut out = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut out)?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }
}
