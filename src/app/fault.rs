//! A fault-injection hook for the fault suite (`tests/it/faults.rs`): with
//! `TARIFFSIM_TEST_PAUSE=POINT:MARKER`, the process creates the file MARKER on reaching
//! POINT and waits there (at most a minute) for a signal, so a test can deliver
//! SIGTERM, SIGHUP or SIGINT at an exact step without timing. Unset, it does nothing.

use std::sync::atomic::Ordering;

/// Pauses at `point` if the hook asks for it.
pub fn pause(point: &str) {
    let Ok(spec) = std::env::var("TARIFFSIM_TEST_PAUSE") else {
        return;
    };
    let Some((at, marker)) = spec.split_once(':') else {
        return;
    };
    if at != point {
        return;
    }
    let flag = super::cancel_flag();
    let _ = std::fs::write(marker, point);
    for _ in 0..6000 {
        if flag.load(Ordering::Relaxed) {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}
