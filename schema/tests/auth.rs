//! Users, tokens, roles and scopes.

use crate::harness::on_each_backend;
use schema::{Grant, Permission, Role};

fn grant<'a>(name: &'a str, role: Role, project: Option<&'a str>) -> Grant<'a> {
    Grant {
        name,
        role,
        project,
        created_by: "test",
    }
}

#[test]
fn tokens_authenticate_until_revoked_and_are_stored_hashed() {
    on_each_backend(|t| {
        let created = t
            .store
            .create_token(&grant("ci", Role::Uploader, Some("shop")), None)
            .expect("create");
        assert!(created.token.starts_with("slt_") && created.token.len() == 68);
        assert!(created.token.starts_with(&created.info.prefix));
        let who = t
            .store
            .authenticate_token(&created.token)
            .expect("auth")
            .expect("valid token");
        assert_eq!(who.role, Role::Uploader);
        assert_eq!(who.project.as_deref(), Some("shop"));
        assert!(who.may(Permission::Upload, Some("shop")));
        assert!(!who.may(Permission::Upload, Some("other")));
        assert!(!who.may(Permission::Admin, None));
        // A near miss is no token.
        let mut wrong = created.token.clone();
        wrong.pop();
        wrong.push('x');
        assert!(t.store.authenticate_token(&wrong).expect("auth").is_none());
        let listed = t.store.tokens().expect("list");
        assert_eq!(listed.len(), 1);
        assert!(listed[0].last_used_at.is_some(), "{}", t.name);
        // Found valid moments ago: answered from memory (the server's event loop asks this).
        assert_eq!(
            t.store.cached_token(&created.token).map(|p| p.id),
            Some(schema::PrincipalId::Token(created.info.id))
        );
        assert!(t.store.cached_token(&wrong).is_none());
        // Revoke by prefix (this store forgets its cached copy at once); twice is harmless.
        let revoked = t
            .store
            .revoke_token(&created.info.prefix, "test")
            .expect("revoke");
        assert!(revoked.revoked_at.is_some());
        t.store
            .revoke_token(&created.info.id.to_string(), "test")
            .expect("revoke again");
        assert!(t.store.cached_token(&created.token).is_none());
        assert!(
            t.store
                .authenticate_token(&created.token)
                .expect("auth")
                .is_none()
        );
        assert!(matches!(
            t.store.revoke_token("slt_nonexist", "test"),
            Err(schema::StoreError::NotFound { .. })
        ));
    });
}

#[test]
fn expired_tokens_do_not_authenticate() {
    on_each_backend(|t| {
        let past = chrono::Utc::now().naive_utc() - chrono::Duration::hours(1);
        let created = t
            .store
            .create_token(&grant("old", Role::Auditor, None), Some(past))
            .expect("create");
        assert!(
            t.store
                .authenticate_token(&created.token)
                .expect("auth")
                .is_none()
        );
    });
}

#[test]
fn users_log_in_with_their_password_only() {
    on_each_backend(|t| {
        let user = t
            .store
            .create_user(&grant("alice", Role::Admin, None), "correct horse battery")
            .expect("create");
        assert_eq!(user.role, Role::Admin);
        let who = t
            .store
            .authenticate_password("alice", "correct horse battery")
            .expect("auth")
            .expect("valid");
        assert!(who.may(Permission::Admin, None));
        assert!(
            t.store
                .authenticate_password("alice", "wrong horse battery")
                .expect("auth")
                .is_none()
        );
        assert!(
            t.store
                .authenticate_password("bob", "correct horse battery")
                .expect("auth")
                .is_none()
        );
        assert!(
            t.store
                .create_user(&grant("alice", Role::Auditor, None), "another long one")
                .is_err()
        );
        assert!(
            t.store
                .create_user(&grant("short", Role::Auditor, None), "short")
                .is_err()
        );
        assert_eq!(t.store.users().expect("users").len(), 1);
    });
}

/// A new password replaces the old one, ends the user's sessions and is audited without it.
#[test]
fn a_new_password_replaces_the_old_and_is_audited() {
    on_each_backend(|t| {
        t.store
            .create_user(&grant("alice", Role::Auditor, None), "the first password")
            .expect("create");
        let session = match t
            .store
            .login("alice", "the first password", None, "192.0.2.1")
            .expect("login")
        {
            schema::LoginOutcome::SignedIn(s) => s,
            other => panic!("not signed in: {other:?}"),
        };
        assert!(t.store.session(&session.id).expect("session").is_some());
        t.store
            .set_password("alice", "the second password", "admin")
            .expect("set");
        let auth = |pw| t.store.authenticate_password("alice", pw).expect("auth");
        assert!(auth("the first password").is_none());
        assert!(auth("the second password").is_some());
        assert!(t.store.session(&session.id).expect("session").is_none());
        assert!(t.store.set_password("alice", "short", "admin").is_err());
        assert!(matches!(
            t.store.set_password("bob", "a long enough one", "admin"),
            Err(schema::StoreError::NotFound { .. })
        ));
        let events = t
            .store
            .audit_list(&schema::AuditQuery {
                action: Some("user.password".into()),
                ..Default::default()
            })
            .expect("audit");
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].actor, "admin");
        assert!(!format!("{events:?}").contains("second password"));
    });
}

#[test]
fn roles_grant_what_the_issue_says() {
    use Permission::*;
    let allowed = |role: Role| {
        [Read, Upload, Triage, Manage, Admin, AuditChain]
            .into_iter()
            .filter(|p| role.allows(*p))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        allowed(Role::Admin),
        vec![Read, Upload, Triage, Manage, Admin, AuditChain]
    );
    assert_eq!(allowed(Role::Uploader), vec![Read, Upload]);
    assert_eq!(allowed(Role::Triager), vec![Read, Triage]);
    assert_eq!(allowed(Role::Auditor), vec![Read, AuditChain]);
}

/// Admin actions are in the audit log, never with a secret, and the chain still verifies.
#[test]
fn user_and_token_administration_is_audited() {
    on_each_backend(|t| {
        t.store
            .create_user(
                &grant("alice", Role::Admin, None),
                "correct horse battery staple",
            )
            .expect("user");
        let created = t
            .store
            .create_token(&grant("ci", Role::Uploader, Some("shop")), None)
            .expect("create");
        t.store
            .revoke_token(&created.info.prefix, "alice")
            .expect("revoke");
        let events = t
            .store
            .audit_list(&schema::AuditQuery::default())
            .expect("audit");
        let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            vec![
                "user.create",
                "project.create",
                "token.create",
                "token.revoke"
            ],
            "{}: the token's scope made the project",
            t.name
        );
        assert_eq!(events[3].actor, "alice");
        for e in &events {
            let text = format!("{e:?}");
            assert!(
                !text.contains(&created.token),
                "a secret reached the audit log"
            );
            assert!(
                !text.contains("correct horse"),
                "a password reached the audit log"
            );
        }
        assert!(t.store.audit_verify().expect("verify").ok);
    });
}

/// A token a CI job's OIDC token was exchanged for: stored hashed with its expiry, scoped and
/// audited with the claims that matched, never with the secret.
#[test]
fn exchanged_tokens_expire_and_are_audited_with_the_matched_claims() {
    on_each_backend(|t| {
        let claims: std::collections::BTreeMap<String, String> = [
            ("iss", "https://token.actions.githubusercontent.com"),
            ("repository", "acme/shop"),
            ("ref", "refs/heads/main"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let soon = chrono::Utc::now().naive_utc() + chrono::Duration::minutes(15);
        let exchanged = t
            .store
            .exchange_token(
                &grant("ci:shop-main", Role::Uploader, Some("shop")),
                soon,
                &job("jti-1", soon),
                &claims,
            )
            .expect("exchange")
            .expect("a first exchange issues a token");
        assert_eq!(exchanged.info.expires_at, Some(soon));
        let who = t
            .store
            .authenticate_token(&exchanged.token)
            .expect("auth")
            .expect("valid token");
        assert_eq!(
            (who.role, who.project.as_deref()),
            (Role::Uploader, Some("shop"))
        );
        let events = t
            .store
            .audit_list(&schema::AuditQuery::default())
            .expect("audit");
        let event = events
            .iter()
            .find(|e| e.action == "token.exchange")
            .expect("the exchange is audited");
        let after: serde_json::Value =
            serde_json::from_str(event.after.as_deref().expect("after")).expect("json");
        assert_eq!(after["claims"]["repository"], "acme/shop");
        assert_eq!(after["claims"]["ref"], "refs/heads/main");
        assert!(!format!("{events:?}").contains(&exchanged.token));
        assert!(t.store.audit_verify().expect("verify").ok);
    });
}

fn job(jti: &str, keep_until: chrono::NaiveDateTime) -> schema::ExchangedJob<'_> {
    schema::ExchangedJob {
        issuer: "https://token.actions.githubusercontent.com",
        jti,
        keep_until,
    }
}

/// Each job token (issuer and `jti`) is exchanged once, also by two stores on one database at
/// the same moment (two replicas); a refused repeat issues and audits nothing. A guard past
/// its time is removed by the next exchange.
#[test]
fn a_job_token_is_exchanged_once_across_stores() {
    on_each_backend(|t| {
        let claims = std::collections::BTreeMap::new();
        let soon = chrono::Utc::now().naive_utc() + chrono::Duration::minutes(15);
        let exchange = |store: &schema::Store, jti: &str, keep_until| {
            store
                .exchange_token(
                    &grant("ci:shop-main", Role::Uploader, Some("shop")),
                    soon,
                    &job(jti, keep_until),
                    &claims,
                )
                .expect("exchange")
        };
        assert!(exchange(&t.store, "once", soon).is_some());
        assert!(exchange(&t.store, "once", soon).is_none());
        // Another issuer's token with the same jti is another token.
        let other_issuer = t
            .store
            .exchange_token(
                &grant("ci:gitlab", Role::Uploader, Some("shop")),
                soon,
                &schema::ExchangedJob {
                    issuer: "https://gitlab.example",
                    jti: "once",
                    keep_until: soon,
                },
                &claims,
            )
            .expect("exchange");
        assert!(other_issuer.is_some());
        // A guard whose time has passed is gone at the next exchange.
        let past = chrono::Utc::now().naive_utc() - chrono::Duration::minutes(1);
        assert!(exchange(&t.store, "old", past).is_some());
        assert!(exchange(&t.store, "old", soon).is_some());
        // Two stores (replicas) racing with one job token: one token between them.
        let second = schema::Store::open(&t.url).expect("a second store on the database");
        let issued = std::thread::scope(|scope| {
            let racers: Vec<_> = [&t.store, &second]
                .into_iter()
                .map(|store| scope.spawn(move || exchange(store, "raced", soon).is_some()))
                .collect();
            racers
                .into_iter()
                .map(|racer| racer.join().expect("the racer ran"))
                .filter(|issued| *issued)
                .count()
        });
        assert_eq!(issued, 1, "{}", t.name);
        let events = t
            .store
            .audit_list(&schema::AuditQuery::default())
            .expect("audit");
        let exchanges = events
            .iter()
            .filter(|e| e.action == "token.exchange")
            .count();
        assert_eq!(exchanges, 5, "{}", t.name);
        assert_eq!(t.store.tokens().expect("tokens").len(), 5, "{}", t.name);
    });
}
