//! The import memory budget: reports import at once up to twice the upload limit; the next
//! waits until enough of it is free.

use futures_util::FutureExt;
use server::budget::ImportBudget;

const MIB: u64 = 1024 * 1024;

#[test]
fn imports_wait_for_memory_and_go_in_when_it_is_free() {
    // Upload limit 10 MiB: 20 MiB of reports may import at once.
    let budget = ImportBudget::new(10 * MIB);
    assert_eq!(budget.available_mib(), 20);
    let first = budget.reserve(10 * MIB).now_or_never().flatten();
    let second = budget.reserve(8 * MIB + 1).now_or_never().flatten();
    assert!(first.is_some() && second.is_some());
    assert_eq!(budget.available_mib(), 1);
    // A third of 5 MiB waits...
    let mut third = Box::pin(budget.reserve(5 * MIB));
    assert!((&mut third).now_or_never().is_none());
    drop(first);
    // ...and goes in once the first is done.
    assert!(third.now_or_never().flatten().is_some());
}

#[test]
fn a_report_larger_than_the_budget_waits_for_all_of_it() {
    let budget = ImportBudget::new(MIB);
    let small = budget.reserve(1).now_or_never().flatten();
    assert!(small.is_some());
    let mut huge = Box::pin(budget.reserve(100 * MIB));
    assert!((&mut huge).now_or_never().is_none());
    drop(small);
    assert!(huge.now_or_never().flatten().is_some());
}
