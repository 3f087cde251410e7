//! Workload identity on the client: in a CI job with no ScanLedger token, the job's own OIDC
//! token (GitLab's `id_tokens:`, or the one GitHub Actions mints on request) is traded for a
//! short-lived ScanLedger token at `POST /api/v1/auth/exchange` (the server's trust rules
//! decide, docs/SERVER.md "CI without a stored secret"). One exchange per process: every call
//! of the verb then uses the token it gave. Neither token is ever printed or logged.

use anyhow::{Context, bail};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use std::time::Duration;

/// The job's OIDC token, as the platform gives it (GitLab: `id_tokens:` into this variable).
pub const OIDC_TOKEN_VAR: &str = "SCANLEDGER_OIDC_TOKEN";
/// GitHub Actions' endpoint that mints the job's OIDC token (set when the workflow grants
/// `permissions: id-token: write`).
pub const ACTIONS_URL_VAR: &str = "ACTIONS_ID_TOKEN_REQUEST_URL";
/// The bearer token for that endpoint.
pub const ACTIONS_TOKEN_VAR: &str = "ACTIONS_ID_TOKEN_REQUEST_TOKEN";
/// Largest answer read from GitHub's endpoint (a JWT is a few kilobytes).
const MAX_ANSWER: u64 = 64 * 1024;

/// Where this job's OIDC token comes from.
pub enum JobToken {
    /// Given whole (`SCANLEDGER_OIDC_TOKEN`).
    Given(String),
    /// Minted on request by GitHub Actions for an audience.
    GithubActions {
        request_url: String,
        request_token: String,
    },
}

impl JobToken {
    /// The job token this environment offers: `SCANLEDGER_OIDC_TOKEN` (`given`) first, then
    /// GitHub Actions' request variables; `None` outside such a job.
    pub fn from_env(given: Option<&str>) -> Option<JobToken> {
        if let Some(jwt) = given.map(str::trim).filter(|t| !t.is_empty()) {
            return Some(JobToken::Given(jwt.to_string()));
        }
        let var = |name| std::env::var(name).ok().filter(|v| !v.is_empty());
        match (var(ACTIONS_URL_VAR), var(ACTIONS_TOKEN_VAR)) {
            (Some(request_url), Some(request_token)) => Some(JobToken::GithubActions {
                request_url,
                request_token,
            }),
            _ => None,
        }
    }

    /// The JWT itself; GitHub Actions is asked for one with this audience.
    pub fn jwt(self, agent: &ureq::Agent, audience: &str) -> anyhow::Result<String> {
        match self {
            JobToken::Given(jwt) => Ok(jwt),
            JobToken::GithubActions {
                request_url,
                request_token,
            } => github_actions_token(agent, &request_url, &request_token, audience),
        }
    }

    /// Where the token came from, for messages.
    pub fn source(&self) -> &'static str {
        match self {
            JobToken::Given(_) => OIDC_TOKEN_VAR,
            JobToken::GithubActions { .. } => ACTIONS_URL_VAR,
        }
    }
}

/// `GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=AUD` with the request token as bearer; GitHub
/// answers `{"value": "<jwt>"}`.
fn github_actions_token(
    agent: &ureq::Agent,
    request_url: &str,
    request_token: &str,
    audience: &str,
) -> anyhow::Result<String> {
    let separator = if request_url.contains('?') { '&' } else { '?' };
    let url = format!(
        "{request_url}{separator}audience={}",
        utf8_percent_encode(audience, NON_ALPHANUMERIC)
    );
    let mut response = agent
        .get(&url)
        .header("Authorization", format!("bearer {request_token}"))
        .header("Accept", "application/json")
        .call()
        .with_context(|| {
            format!("requesting the job's OIDC token from GitHub Actions ({ACTIONS_URL_VAR})")
        })?;
    let status = response.status().as_u16();
    if !(200..300).contains(&status) {
        bail!(
            "GitHub Actions answered {status} to the request for the job's OIDC token \
             ({ACTIONS_URL_VAR}); does the workflow grant `permissions: id-token: write`?"
        );
    }
    #[derive(serde::Deserialize)]
    struct Answer {
        value: String,
    }
    let answer: Answer = response
        .body_mut()
        .with_config()
        .limit(MAX_ANSWER)
        .read_json()
        .with_context(|| {
            format!("GitHub Actions' answer ({ACTIONS_URL_VAR}) has no token in `value`")
        })?;
    if answer.value.is_empty() {
        bail!("GitHub Actions ({ACTIONS_URL_VAR}) answered an empty OIDC token");
    }
    Ok(answer.value)
}

/// An agent for the platform's endpoint: bounded in time, no redirects (the bearer token must
/// not follow one elsewhere).
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .max_redirects(0)
        .build()
        .into()
}
