//! Rebuilds `schema` when a migration is added, renamed or edited: `embed_migrations!` reads
//! the migration folders at compile time, and cargo does not know it without this.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
