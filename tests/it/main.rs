//! The integration tests, one binary: the suite compiles and links once, and shared
//! helpers can live beside the tests that use them.

mod bench_scenarios;
mod block_engine;
mod cli;
mod compare;
mod extensions;
mod faults;
mod faults_breakeven;
mod faults_inputs;
mod faults_shards;
mod issue14;
mod merge_halves;
mod model_formulas;
mod rand_fit;
mod report;
mod schedule;
mod simd_levels;
mod validation;
