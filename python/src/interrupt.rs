//! Interruptible work with the GIL released: a worker thread runs the simulation while
//! the calling thread waits, running Python's signal handlers every 20 ms.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

use crate::errors::Res;

/// Runs `work` on a worker thread while this thread waits without the GIL, running
/// Python's signal handlers every 20 ms. A pending `KeyboardInterrupt` (or any exception
/// a handler raises) sets the cancel flag, waits for the worker to stop at its next
/// block and is returned.
pub(crate) fn interruptible<T, F>(py: Python<'_>, work: F) -> PyResult<Res<T>>
where
    T: Send,
    F: FnOnce(&AtomicBool) -> Res<T> + Send,
{
    let cancel = AtomicBool::new(false);
    let done = (Mutex::new(false), Condvar::new());
    std::thread::scope(|s| {
        let (cancel, done) = (&cancel, &done);
        let handle = s.spawn(move || {
            struct Notify<'a>(&'a (Mutex<bool>, Condvar));
            impl Drop for Notify<'_> {
                // Also on a panic, so the waiting thread never hangs.
                fn drop(&mut self) {
                    *self.0 .0.lock().unwrap_or_else(|e| e.into_inner()) = true;
                    self.0 .1.notify_all();
                }
            }
            let _n = Notify(done);
            work(cancel)
        });
        let mut interrupt = None;
        loop {
            let finished = py.detach(|| {
                let g = done.0.lock().unwrap_or_else(|e| e.into_inner());
                let (g, _) = done
                    .1
                    .wait_timeout_while(g, Duration::from_millis(20), |d| !*d)
                    .unwrap_or_else(|e| e.into_inner());
                *g
            });
            if finished {
                break;
            }
            if let Err(e) = py.check_signals() {
                cancel.store(true, Ordering::Relaxed);
                interrupt = Some(e);
                break;
            }
        }
        let joined = py.detach(|| handle.join());
        if let Some(e) = interrupt {
            return Err(e);
        }
        match joined {
            Ok(r) => Ok(r),
            Err(p) => {
                let what = p
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| p.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                Err(PyRuntimeError::new_err(format!(
                    "internal error in tariffsim (please report it): {what}"
                )))
            }
        }
    })
}
