//! Prometheus metrics: requests and latency by route and status, uploads and findings imported,
//! and the database pool, served as text at `/metrics`.

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts, Registry,
    TextEncoder,
};

pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    uploads: IntCounterVec,
    findings_imported: IntCounter,
    pool_connections: IntGauge,
    pool_idle: IntGauge,
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
        // Known outcomes start at zero, so the series exist before the first upload.
        for outcome in ["imported", "duplicate", "rejected"] {
            uploads.with_label_values(&[outcome]);
        }
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(uploads.clone()))?;
        registry.register(Box::new(findings_imported.clone()))?;
        registry.register(Box::new(pool_connections.clone()))?;
        registry.register(Box::new(pool_idle.clone()))?;
        Ok(Metrics {
            registry,
            requests,
            latency,
            uploads,
            findings_imported,
            pool_connections,
            pool_idle,
        })
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

    /// The text exposition, with the pool state as of now.
    pub fn render(&self, pool: schema::PoolState) -> Result<String, prometheus::Error> {
        self.pool_connections.set(i64::from(pool.connections));
        self.pool_idle.set(i64::from(pool.idle));
        let mut out = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut out)?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }
}
