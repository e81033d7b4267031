//! The vector instructions of the running CPU, for the few hot loops compiled twice more
//! (AVX2, AVX-512) and chosen at run time, with the portable build as the fallback.
//!
//! Results do not depend on the level: Rust never fuses a multiply and an add into one
//! FMA unless asked (`mul_add`), so wider instructions do the same IEEE operations in the
//! same order, and every output is the same bytes at every level (a test runs each level
//! the CPU has and compares). A binary built on one machine runs on any x86-64.
//!
//! The one use of `unsafe` in the crate is [`dispatch!`]'s: calling a function compiled
//! for instructions the CPU is only known at run time to have.

use std::sync::OnceLock;

/// A set of vector instructions the hot loops can be compiled for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// The target's baseline (SSE2 on x86-64): what every CPU of the target runs.
    Portable,
    /// x86-64-v3: AVX2, FMA, BMI1/2.
    Avx2,
    /// x86-64-v4: AVX-512 F, BW, CD, DQ and VL, on top of AVX2.
    Avx512,
}

impl Level {
    /// Every level, lowest first.
    pub const ALL: [Level; 3] = [Level::Portable, Level::Avx2, Level::Avx512];

    /// Its name, as `TARIFFSIM_SIMD` spells it.
    pub fn name(self) -> &'static str {
        match self {
            Level::Portable => "portable",
            Level::Avx2 => "avx2",
            Level::Avx512 => "avx512",
        }
    }

    /// The level named `name`, if any.
    pub fn from_name(name: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.name() == name)
    }
}

/// The highest level this CPU runs.
pub fn detected() -> Level {
    #[cfg(target_arch = "x86_64")]
    {
        let v4 = std::is_x86_feature_detected!("avx512f")
            && std::is_x86_feature_detected!("avx512bw")
            && std::is_x86_feature_detected!("avx512cd")
            && std::is_x86_feature_detected!("avx512dq")
            && std::is_x86_feature_detected!("avx512vl");
        let v3 = std::is_x86_feature_detected!("avx2")
            && std::is_x86_feature_detected!("fma")
            && std::is_x86_feature_detected!("bmi1")
            && std::is_x86_feature_detected!("bmi2")
            && std::is_x86_feature_detected!("lzcnt");
        if v3 && v4 {
            return Level::Avx512;
        }
        if v3 {
            return Level::Avx2;
        }
    }
    Level::Portable
}

static LEVEL: OnceLock<Level> = OnceLock::new();

/// Caps the level used to `cap` (e.g. to compare levels, or to time the portable build);
/// the CPU's own level still bounds it. Only the first call, before any simulation,
/// takes effect; returns the level in use.
pub fn limit(cap: Level) -> Level {
    *LEVEL.get_or_init(|| cap.min(detected()))
}

/// The level in use: the detected one unless [`limit`] capped it.
pub fn level() -> Level {
    *LEVEL.get_or_init(detected)
}

/// Calls `$recv.$body(args)` compiled for the level in use: expands to one copy of the
/// call per level, each in a function compiled for that level's instructions, and picks
/// one by [`level`]. `$body` must be `#[inline(always)]`, and so must what it calls that
/// should be compiled for the level: calls it makes out of line run portable code.
///
/// `cpu::dispatch!(self: &Plan, draw_block_body(seed: u64, s: &mut BlockScratch))`
#[macro_export]
macro_rules! dispatch {
    ($recv:ident: $ty:ty, $body:ident($($arg:ident: $aty:ty),* $(,)?) $(-> $ret:ty)?) => {{
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx512f,avx512bw,avx512cd,avx512dq,avx512vl")]
        #[target_feature(enable = "avx2,fma,bmi1,bmi2,lzcnt,popcnt")]
        fn avx512(r: $ty, $($arg: $aty),*) $(-> $ret)? {
            r.$body($($arg),*)
        }
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx2,fma,bmi1,bmi2,lzcnt,popcnt")]
        fn avx2(r: $ty, $($arg: $aty),*) $(-> $ret)? {
            r.$body($($arg),*)
        }
        match $crate::cpu::level() {
            // SAFETY: `level()` is at most `detected()`, so the CPU has every feature
            // these copies are compiled for.
            #[cfg(target_arch = "x86_64")]
            #[allow(unsafe_code)]
            $crate::cpu::Level::Avx512 => unsafe { avx512($recv, $($arg),*) },
            #[cfg(target_arch = "x86_64")]
            #[allow(unsafe_code)]
            $crate::cpu::Level::Avx2 => unsafe { avx2($recv, $($arg),*) },
            _ => $recv.$body($($arg),*),
        }
    }};
}
