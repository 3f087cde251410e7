//! Web UI sessions and the sign-in lockout, on both backends.

use crate::harness::on_each_backend;
use schema::{Grant, LoginOutcome, MAX_FAILURES, Role};
use sha2::{Digest, Sha256};

const PASSWORD: &str = "a long password";

fn signed_in(outcome: LoginOutcome) -> schema::NewSession {
    match outcome {
        LoginOutcome::SignedIn(s) => s,
        other => panic!("not signed in: {other:?}"),
    }
}

#[test]
fn sessions_are_stored_hashed_rotate_expire_and_end() {
    on_each_backend(|t| {
        t.store
            .create_user(
                &Grant {
                    name: "alice",
                    role: Role::Auditor,
                    project: Some("shop"),
                    created_by: "test",
                },
                PASSWORD,
            )
            .expect("user");
        assert!(matches!(
            t.store
                .login("alice", "wrong", None, "192.0.2.1")
                .expect("login"),
            LoginOutcome::Refused
        ));
        assert!(matches!(
            t.store
                .login("nobody", PASSWORD, None, "192.0.2.1")
                .expect("login"),
            LoginOutcome::Refused
        ));
        let first = signed_in(
            t.store
                .login("alice", PASSWORD, None, "192.0.2.1")
                .expect("login"),
        );
        assert_eq!(first.id.len(), 64);
        assert_ne!(first.id, first.csrf_token);
        let live = t.store.session(&first.id).expect("session").expect("live");
        assert_eq!(live.principal.name, "alice");
        assert_eq!(live.principal.project.as_deref(), Some("shop"));
        assert_eq!(live.csrf_token, first.csrf_token);

        // The id itself is not in the database: a row keyed by the plain id does not exist.
        t.raw_sql(&format!(
            "UPDATE sessions SET expires_at = '2000-01-01 00:00:00' WHERE id_sha256 = '{}'",
            first.id
        ))
        .expect("sql");
        assert!(t.store.session(&first.id).expect("session").is_some());

        // Signing in again from the same browser replaces the session.
        let second = signed_in(
            t.store
                .login("alice", PASSWORD, Some(&first.id), "192.0.2.1")
                .expect("login"),
        );
        assert_ne!(second.id, first.id);
        assert_ne!(second.csrf_token, first.csrf_token);
        assert!(t.store.session(&first.id).expect("session").is_none());
        assert!(t.store.session(&second.id).expect("session").is_some());

        // Expired sessions are dead (keyed by the SHA-256 of the id).
        let digest = hex::encode(Sha256::digest(second.id.as_bytes()));
        t.raw_sql(&format!(
            "UPDATE sessions SET expires_at = '2000-01-01 00:00:00' WHERE id_sha256 = '{digest}'"
        ))
        .expect("sql");
        assert!(t.store.session(&second.id).expect("session").is_none());

        // A disabled user's sessions stop working.
        let third = signed_in(
            t.store
                .login("alice", PASSWORD, None, "192.0.2.1")
                .expect("login"),
        );
        t.raw_sql("UPDATE users SET disabled_at = '2001-01-01 00:00:00' WHERE name = 'alice'")
            .expect("sql");
        assert!(t.store.session(&third.id).expect("session").is_none());
        t.raw_sql("UPDATE users SET disabled_at = NULL WHERE name = 'alice'")
            .expect("sql");
        assert!(t.store.session(&third.id).expect("session").is_some());

        // Signing out ends it.
        t.store.logout(&third.id).expect("logout");
        assert!(t.store.session(&third.id).expect("session").is_none());
        assert!(t.store.session("not a session").expect("session").is_none());
    });
}

#[test]
fn repeated_failures_lock_a_name_until_the_lock_expires() {
    on_each_backend(|t| {
        t.store
            .create_user(
                &Grant {
                    name: "bob",
                    role: Role::Triager,
                    project: None,
                    created_by: "test",
                },
                PASSWORD,
            )
            .expect("user");
        // Failures below the limit are forgiven by a success.
        for _ in 1..MAX_FAILURES {
            assert!(matches!(
                t.store.login("bob", "x", None, "192.0.2.1").expect("login"),
                LoginOutcome::Refused
            ));
        }
        signed_in(
            t.store
                .login("bob", PASSWORD, None, "192.0.2.1")
                .expect("login"),
        );
        for _ in 1..MAX_FAILURES {
            assert!(matches!(
                t.store.login("bob", "x", None, "192.0.2.1").expect("login"),
                LoginOutcome::Refused
            ));
        }
        assert!(matches!(
            t.store.login("bob", "x", None, "192.0.2.1").expect("login"),
            LoginOutcome::Locked { .. }
        ));
        assert!(matches!(
            t.store
                .login("bob", PASSWORD, None, "192.0.2.1")
                .expect("login"),
            LoginOutcome::Locked { .. }
        ));
        // Unknown names lock the same way (the lockout does not reveal which names exist).
        for _ in 0..MAX_FAILURES {
            let _ = t
                .store
                .login("ghost", "x", None, "192.0.2.1")
                .expect("login");
        }
        assert!(matches!(
            t.store
                .login("ghost", "x", None, "192.0.2.1")
                .expect("login"),
            LoginOutcome::Locked { .. }
        ));
        t.raw_sql(
            "UPDATE login_failures SET locked_until = '2000-01-01 00:00:00' WHERE name = 'bob'",
        )
        .expect("sql");
        signed_in(
            t.store
                .login("bob", PASSWORD, None, "192.0.2.1")
                .expect("login"),
        );
    });
}
