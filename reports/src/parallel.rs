//! Work spread over a few threads: each takes the next job left in one queue, and the results
//! come back in the jobs' order whichever thread ran them, so what is made of them does not
//! depend on the threads.

use crate::ReportError;
use std::sync::Mutex;

/// One piece of the work.
pub(crate) type Job<'a, T> = Box<dyn FnOnce() -> Result<T, ReportError> + Send + 'a>;

/// How many threads: the cores there are, at most 4.
pub(crate) fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(4))
}

/// Runs `jobs` on `threads` threads (the caller's one of them), longest first if they are
/// given so; the first error ends the work. `what` names the work if a job panics.
pub(crate) fn run<'a, T: Send>(
    jobs: Vec<Job<'a, T>>,
    threads: usize,
    what: &'static str,
) -> Result<Vec<T>, ReportError> {
    let count = jobs.len();
    let queue = Mutex::new(jobs.into_iter().enumerate());
    let done: Mutex<Vec<Option<T>>> = Mutex::new((0..count).map(|_| None).collect());
    let failed = || ReportError::RendererPanicked(what);
    let work = || -> Result<(), ReportError> {
        loop {
            let next = queue.lock().map_err(|_| failed())?.next();
            let Some((index, job)) = next else {
                return Ok(());
            };
            let result = job()?;
            done.lock().map_err(|_| failed())?[index] = Some(result);
        }
    };
    std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads.clamp(1, count.max(1)))
            .map(|_| scope.spawn(work))
            .collect();
        let mine = work();
        // Every helper is joined before an error is returned.
        let theirs: Vec<Result<(), ReportError>> = helpers
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(failed())))
            .collect();
        mine?;
        theirs.into_iter().collect::<Result<(), ReportError>>()
    })?;
    done.into_inner()
        .map_err(|_| failed())?
        .into_iter()
        .map(|result| result.ok_or_else(failed))
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_the_jobs_order_and_an_error_ends_the_work() {
        for threads in [1, 2, 4] {
            let jobs: Vec<Job<'_, usize>> = (0..20usize)
                .map(|i| Box::new(move || Ok(i * i)) as Job<'_, usize>)
                .collect();
            let squares = run(jobs, threads, "squares").unwrap();
            assert_eq!(squares, (0..20).map(|i| i * i).collect::<Vec<_>>());
            let mut jobs: Vec<Job<'_, usize>> = vec![Box::new(|| Ok(1))];
            jobs.push(Box::new(|| Err(ReportError::Invalid("no".into()))));
            assert!(matches!(
                run(jobs, threads, "failing"),
                Err(ReportError::Invalid(_))
            ));
        }
    }
}
