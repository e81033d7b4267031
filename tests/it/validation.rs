//! Scenario validation: every mistake a researcher can make in a scenario file gets an
//! error (or warning) naming file, line, column and key path, saying what was expected,
//! suggesting the nearest valid key or name for a typo, and every error of a file is
//! reported at once, sorted by line.
//!
//! Each test mutates one small valid scenario (`BASE`) and checks the diagnostic: its
//! severity, key path, the exact line and column of the offending value (computed from the
//! mutated text by [`at`], an independent character count), and the words of its message
//! and help.

use tariffsim::scenario::{self, Declare, Diagnostic, ScenarioError, Severity};

const FILE: &str = "bad.toml";

/// A small valid scenario: a 50/50 JV, a direct CN→US route and a CN→KR→US route with
/// processing in KR falling back to `direct`, a regime with MFN, Section 301, KORUS, fees,
/// de minimis, enforcement, inspection and an OFAC sanction, and a regime built on it.
const BASE: &str = r#"[scenario]
name = "base"
description = "validation base"
trials = 1000
seed = 7

[goods]
hs = "8517.62"
unit_value = 40.0
currency = "USD"
units = 2000
kg_per_unit = 0.4
units_per_feu = 8000
carrying_rate = 0.15

[fx]
KRW = 1380.0

[[entities]]
name = "jv"
owners = { alibaba = 0.5, shinsegae = 0.5 }

[[routes]]
name = "direct"
origin = "CN"
[[routes.legs]]
from = "CN"
to = "US"
mode = "ocean"
rate = 2800.0
days = 18.0
fees = 0.1

[[routes]]
name = "korea"
origin = "CN"
operator = "jv"
fallback = "direct"
[[routes.legs]]
from = "CN"
to = "KR"
mode = "ocean"
rate = 300.0
days = 3.0
[routes.processing]
country = "KR"
cost = 5000.0
currency = "KRW"
markup = 0.05
days = 5.0
transforms = true
[[routes.legs]]
from = "KR"
to = "US"
mode = "ocean"
rate = 2600.0
days = 14.0

[[regimes]]
name = "status-quo"
[[regimes.measures]]
name = "MFN"
origins = ["*"]
waived_by = ["KORUS"]
ad_valorem = 0.03
[[regimes.measures]]
name = "Section 301"
origins = ["CN"]
ad_valorem = 0.25
[[regimes.agreements]]
name = "KORUS"
origins = ["KR"]
rule = "shift_or_rvc"
rvc_threshold = 0.45
waives_mpf = true
[regimes.de_minimis]
threshold = 800.0
except = ["CN"]
[regimes.fees]
mpf_rate = 0.003464
mpf_min = 33.58
mpf_max = 651.50
hmf_rate = 0.00125
[regimes.enforcement]
detection = 0.06
penalty_multiple = 2.0
seizure = 0.0
[regimes.inspection]
origins = ["CN"]
probability = 0.02
days = 10.0
fee = 500.0
exclusion = 0.0
[[regimes.sanctions]]
name = "OFAC Alibaba"
target = "alibaba"
probability = 0.10
ownership_threshold = 0.5

[[regimes]]
name = "campaign"
base = "status-quo"
remove = []
[[regimes.measures]]
name = "china-60"
origins = ["CN"]
ad_valorem = 0.60
floor = 0.0
floor_over = ["MFN"]
replaces = ["Section 301"]
"#;

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// `text` with the single occurrence of `from` replaced by `to` (panics unless exactly one).
fn edit(text: &str, from: &str, to: &str) -> String {
    let n = text.matches(from).count();
    assert_eq!(
        n, 1,
        "`{from}` occurs {n} times in the scenario, expected once"
    );
    text.replacen(from, to, 1)
}

/// `BASE` with one edit.
fn base_with(from: &str, to: &str) -> String {
    edit(BASE, from, to)
}

/// `BASE` with several edits, applied in order.
fn base_edits(edits: &[(&str, &str)]) -> String {
    edits
        .iter()
        .fold(BASE.to_string(), |t, (from, to)| edit(&t, from, to))
}

/// The line and column (1-based, in characters) of `needle`, searched from the start of
/// the single occurrence of `anchor` in `text`.
fn at(text: &str, anchor: &str, needle: &str) -> (u32, u32) {
    let n = text.matches(anchor).count();
    assert_eq!(n, 1, "anchor `{anchor}` occurs {n} times, expected once");
    let a = text.find(anchor).unwrap();
    let off = a + text[a..]
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` not found after `{anchor}`"));
    let before = &text[..off];
    let line = before.matches('\n').count() as u32 + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = text[line_start..off].chars().count() as u32 + 1;
    (line, col)
}

/// Loads `text`, expecting it to fail.
fn fail(text: &str) -> ScenarioError {
    match scenario::from_str(FILE, text) {
        Ok(b) => panic!(
            "expected the scenario to be rejected, but it loaded (warnings: {:?})",
            b.warnings
        ),
        Err(e) => {
            assert!(!e.errors.is_empty(), "a ScenarioError with no errors");
            for d in &e.errors {
                assert_eq!(d.severity, Severity::Error, "{d}");
                assert_eq!(&*d.loc.file, FILE, "{d}");
            }
            e
        }
    }
}

/// Loads `text`, expecting it to succeed.
fn load(text: &str) -> scenario::Built {
    match scenario::from_str(FILE, text) {
        Ok(b) => b,
        Err(e) => panic!("expected the scenario to load, got:\n{e}"),
    }
}

fn dump(ds: &[Diagnostic]) -> String {
    ds.iter().map(|d| format!("  {d}\n")).collect()
}

/// The single diagnostic with key path `path` (panics, listing all, otherwise).
fn only<'a>(ds: &'a [Diagnostic], path: &str) -> &'a Diagnostic {
    let found: Vec<&Diagnostic> = ds.iter().filter(|d| d.path == path).collect();
    assert_eq!(
        found.len(),
        1,
        "expected exactly one diagnostic at `{path}`, got:\n{}",
        dump(ds)
    );
    found[0]
}

/// The single error with key path `path`.
fn error_at<'a>(e: &'a ScenarioError, path: &str) -> &'a Diagnostic {
    only(&e.errors, path)
}

fn assert_loc(d: &Diagnostic, (line, col): (u32, u32)) {
    assert_eq!(
        (d.loc.line, d.loc.col),
        (line, col),
        "wrong location for:\n  {d}"
    );
    assert_eq!(&*d.loc.file, FILE, "{d}");
}

fn assert_msg(d: &Diagnostic, words: &[&str]) {
    for w in words {
        assert!(
            d.message.contains(w),
            "message should contain `{w}`:\n  {d}"
        );
    }
}

fn assert_help(d: &Diagnostic, words: &[&str]) {
    let help = d
        .help
        .as_deref()
        .unwrap_or_else(|| panic!("expected a help line:\n  {d}"));
    for w in words {
        assert!(help.contains(w), "help should contain `{w}`:\n  {d}");
    }
}

/// The one error of a scenario with a single mistake: asserts there is exactly one error,
/// at `path`, at the place of `needle` after `anchor`.
fn single_error(text: &str, path: &str, anchor: &str, needle: &str) -> Diagnostic {
    let e = fail(text);
    assert_eq!(
        e.errors.len(),
        1,
        "expected exactly one error, got:\n{}",
        dump(&e.errors)
    );
    let d = error_at(&e, path).clone();
    assert_loc(&d, at(text, anchor, needle));
    d
}

/// The error at `path`, at the place of `needle` after `anchor`, whatever else is reported.
fn located(text: &str, path: &str, anchor: &str, needle: &str) -> Diagnostic {
    let e = fail(text);
    let d = error_at(&e, path).clone();
    assert_loc(&d, at(text, anchor, needle));
    d
}

// ---------------------------------------------------------------------------------------
// The base itself
// ---------------------------------------------------------------------------------------

#[test]
fn base_scenario_loads_without_warnings() {
    let b = load(BASE);
    assert!(b.warnings.is_empty(), "{}", dump(&b.warnings));
    let s = &b.scenario;
    assert_eq!(s.name, "base");
    assert_eq!(s.routes.len(), 2);
    assert_eq!(s.routes[1].fallback, Some(0));
    assert_eq!(s.routes[1].legs_before, 1);
    assert_eq!(s.regimes.len(), 2);
    // campaign = status-quo's 2 measures + china-60.
    assert_eq!(s.regimes[1].measures.len(), 3);
    assert_eq!(s.regimes[1].sanctions.len(), 1);
}

#[test]
fn helper_at_counts_lines_and_columns_like_the_file() {
    // Guards the helper every other test relies on: `unit_value = 40.0` is line 9 of BASE
    // and its value starts in column 14.
    assert_eq!(at(BASE, "unit_value = 40.0", "40.0"), (9, 14));
    assert_eq!(at(BASE, "[goods]", "["), (7, 1));
}

// ---------------------------------------------------------------------------------------
// TOML syntax
// ---------------------------------------------------------------------------------------

#[test]
fn toml_syntax_error_is_located() {
    let text = base_with("units = 2000", "units = = 2000");
    let e = fail(&text);
    // The parser may add follow-up errors on the same line; the first is the cause.
    let d = &e.errors[0];
    assert_eq!(d.loc.line, 11, "{d}");
    // The second `=` (column 9) is the unexpected token.
    assert_eq!(d.loc.col, 9, "{d}");
    for d in &e.errors {
        assert_eq!(d.loc.line, 11, "{d}");
    }
    assert_msg(d, &["TOML syntax"]);
}

#[test]
fn toml_unclosed_table_header_is_located() {
    let text = base_with("[regimes.fees]", "[regimes.fees");
    let e = fail(&text);
    let d = &e.errors[0];
    assert_eq!(d.loc.line, at(&text, "[regimes.fees", "[").0, "{d}");
    assert_msg(d, &["TOML syntax"]);
}

#[test]
fn toml_duplicate_key_is_located() {
    let text = base_with("kg_per_unit = 0.4", "kg_per_unit = 0.4\nkg_per_unit = 0.5");
    let e = fail(&text);
    let d = &e.errors[0];
    assert_eq!(d.loc.line, at(&text, "kg_per_unit = 0.5", "k").0, "{d}");
    assert_msg(d, &["TOML syntax"]);
}

// ---------------------------------------------------------------------------------------
// Unknown keys: every kind of table, with the nearest valid key
// ---------------------------------------------------------------------------------------

/// Renames the key at the start of the single line `line` to `typo` and checks the error:
/// at the typo's position, path `table_path.typo`, help naming `near`.
fn typo_case(line: &str, key: &str, typo: &str, table_path: &str, near: &str) {
    let new_line = line.replacen(key, typo, 1);
    let text = base_with(line, &new_line);
    let e = fail(&text);
    let path = format!("{table_path}.{typo}");
    let d = error_at(&e, &path);
    assert_loc(d, at(&text, &new_line, typo));
    assert_msg(d, &["unknown key", typo]);
    assert_help(d, &[&format!("`{near}`")]);
}

#[test]
fn unknown_key_goods_unit_valu() {
    typo_case(
        "unit_value = 40.0",
        "unit_value",
        "unit_valu",
        "goods",
        "unit_value",
    );
}

#[test]
fn unknown_key_agreement_rvc_treshold() {
    typo_case(
        "rvc_threshold = 0.45",
        "rvc_threshold",
        "rvc_treshold",
        "regimes[0].agreements[0]",
        "rvc_threshold",
    );
}

#[test]
fn unknown_key_enforcement_detecton() {
    typo_case(
        "detection = 0.06",
        "detection",
        "detecton",
        "regimes[0].enforcement",
        "detection",
    );
}

#[test]
fn unknown_key_leg_mdoe() {
    // `mdoe` instead of `mode`: the typo (with `mode` suggested) and the missing key are
    // both reported.
    let text = base_with(
        "to = \"US\"\nmode = \"ocean\"\nrate = 2800.0",
        "to = \"US\"\nmdoe = \"ocean\"\nrate = 2800.0",
    );
    let e = fail(&text);
    let d = error_at(&e, "routes[0].legs[0].mdoe");
    assert_loc(d, at(&text, "mdoe", "mdoe"));
    assert_help(d, &["`mode`"]);
    let m = error_at(&e, "routes[0].legs[0].mode");
    assert_msg(m, &["missing key `mode`"]);
}

#[test]
fn unknown_key_in_distribution_sigam() {
    let line = "KRW = { dist = \"lognormal\", median = 1380.0, sigma = 0.08, sigam = 0.1 }";
    let text = base_with("KRW = 1380.0", line);
    let d = single_error(&text, "fx.KRW.sigam", line, "sigam");
    assert_msg(&d, &["unknown key `sigam`"]);
    assert_help(&d, &["`sigma`"]);
}

#[test]
fn unknown_key_in_distribution_sigam_instead_of_sigma() {
    let line = "KRW = { dist = \"lognormal\", median = 1380.0, sigam = 0.08 }";
    let text = base_with("KRW = 1380.0", line);
    let e = fail(&text);
    let d = error_at(&e, "fx.KRW.sigam");
    assert_loc(d, at(&text, line, "sigam"));
    assert_msg(d, &["unknown key `sigam`"]);
    assert_help(d, &["`sigma`"]);
}

#[test]
fn unknown_distribution_kind_suggests_nearest() {
    let line = "unit_value = { dist = \"lognorml\", median = 40.0, sigma = 0.2 }";
    let text = base_with("unit_value = 40.0", line);
    let d = single_error(&text, "goods.unit_value.dist", line, "\"lognorml\"");
    assert_msg(&d, &["unknown distribution `lognorml`"]);
    assert_help(&d, &["`lognormal`"]);
}

#[test]
fn unknown_key_in_every_kind_of_table() {
    // (line of BASE whose key is misspelt, key, typo, path of its table, nearest key)
    let cases: &[(&str, &str, &str, &str, &str)] = &[
        ("seed = 7", "seed", "sede", "scenario", "seed"),
        (
            "units_per_feu = 8000",
            "units_per_feu",
            "units_per_fue",
            "goods",
            "units_per_feu",
        ),
        (
            "owners = { alibaba",
            "owners",
            "owner",
            "entities[0]",
            "owners",
        ),
        (
            "fallback = \"direct\"",
            "fallback",
            "fallbak",
            "routes[1]",
            "fallback",
        ),
        ("fees = 0.1", "fees", "fess", "routes[0].legs[0]", "fees"),
        (
            "transforms = true",
            "transforms",
            "transform",
            "routes[1].processing",
            "transforms",
        ),
        ("base = \"status-quo\"", "base", "bse", "regimes[1]", "base"),
        (
            "waived_by = [\"KORUS\"]",
            "waived_by",
            "waived_bye",
            "regimes[0].measures[0]",
            "waived_by",
        ),
        (
            "waives_mpf = true",
            "waives_mpf",
            "waive_mpf",
            "regimes[0].agreements[0]",
            "waives_mpf",
        ),
        (
            "threshold = 800.0",
            "threshold",
            "treshold",
            "regimes[0].de_minimis",
            "threshold",
        ),
        (
            "hmf_rate = 0.00125",
            "hmf_rate",
            "hmf_rat",
            "regimes[0].fees",
            "hmf_rate",
        ),
        (
            "penalty_multiple = 2.0",
            "penalty_multiple",
            "penalty_multipel",
            "regimes[0].enforcement",
            "penalty_multiple",
        ),
        (
            "exclusion = 0.0",
            "exclusion",
            "exclusoin",
            "regimes[0].inspection",
            "exclusion",
        ),
        (
            "ownership_threshold = 0.5",
            "ownership_threshold",
            "ownership_treshold",
            "regimes[0].sanctions[0]",
            "ownership_threshold",
        ),
    ];
    for (line, key, typo, table, near) in cases {
        typo_case(line, key, typo, table, near);
    }
}

#[test]
fn unknown_top_level_table_suggests_nearest() {
    let text = base_with("[fx]\nKRW", "[fxx]\nKRW");
    let e = fail(&text);
    let d = error_at(&e, "fxx");
    assert_loc(d, at(&text, "[fxx]", "fxx"));
    assert_msg(d, &["unknown key `fxx`"]);
    assert_help(d, &["`fx`"]);
}

#[test]
fn unknown_key_far_from_any_lists_the_valid_keys() {
    let text = base_with("seed = 7", "seed = 7\nzzzzzz = 1");
    let d = single_error(&text, "scenario.zzzzzz", "zzzzzz", "zzzzzz");
    assert_help(&d, &["trials", "seed"]);
}

// ---------------------------------------------------------------------------------------
// Wrong types
// ---------------------------------------------------------------------------------------

#[test]
fn string_where_a_number_is_expected() {
    let text = base_with("units = 2000", "units = \"2000\"");
    let d = single_error(&text, "goods.units", "units = \"2000\"", "\"2000\"");
    assert_msg(&d, &["expected a number > 0", "found a string"]);
}

#[test]
fn string_where_a_rate_is_expected_says_how_to_write_it() {
    let text = base_with("ad_valorem = 0.25", "ad_valorem = \"0.25 percent\"");
    let d = single_error(
        &text,
        "regimes[0].measures[1].ad_valorem",
        "ad_valorem = \"0.25 percent\"",
        "\"",
    );
    assert_msg(&d, &["cannot read"]);
    assert_help(&d, &["0.25", "25%"]);
}

#[test]
fn number_where_a_list_is_expected() {
    let text = base_with(
        "origins = [\"CN\"]\nad_valorem = 0.25",
        "origins = 5\nad_valorem = 0.25",
    );
    let d = single_error(&text, "regimes[0].measures[1].origins", "origins = 5", "5");
    assert_msg(&d, &["expected a list of strings", "found an integer"]);
}

#[test]
fn number_in_a_list_of_names() {
    let text = base_with("waived_by = [\"KORUS\"]", "waived_by = [\"KORUS\", 3]");
    let d = single_error(
        &text,
        "regimes[0].measures[0].waived_by[1]",
        "waived_by = [\"KORUS\", 3]",
        "3",
    );
    assert_msg(&d, &["expected a string", "found an integer"]);
}

#[test]
fn string_where_a_boolean_is_expected() {
    let text = base_with("transforms = true", "transforms = \"yes\"");
    let d = single_error(
        &text,
        "routes[1].processing.transforms",
        "transforms = \"yes\"",
        "\"yes\"",
    );
    assert_msg(&d, &["expected true or false", "found a string"]);
}

#[test]
fn number_where_a_list_of_tables_is_expected() {
    let text = format!(
        "entities = 3\n{}",
        base_edits(&[
            (
                "[[entities]]\nname = \"jv\"\nowners = { alibaba = 0.5, shinsegae = 0.5 }\n",
                "",
            ),
            ("operator = \"jv\"\n", ""),
        ])
    );
    let d = single_error(&text, "entities", "entities = 3", "3");
    assert_msg(&d, &["expected an array of tables", "found an integer"]);
    assert_help(&d, &["[[entities]]"]);
}

#[test]
fn float_where_an_integer_is_expected() {
    let text = base_with("trials = 1000", "trials = 1000.5");
    let d = single_error(&text, "scenario.trials", "trials = 1000.5", "1000.5");
    assert_msg(&d, &["expected an integer"]);
}

// ---------------------------------------------------------------------------------------
// Ranges: probabilities, prices, distribution parameters
// ---------------------------------------------------------------------------------------

#[test]
fn detection_above_one() {
    let text = base_with("detection = 0.06", "detection = 1.5");
    let d = single_error(
        &text,
        "regimes[0].enforcement.detection",
        "detection = 1.5",
        "1.5",
    );
    assert_msg(&d, &["probability in [0, 1]", "1.5"]);
}

#[test]
fn probability_below_zero() {
    let text = base_with("probability = 0.10", "probability = -0.1");
    let d = single_error(
        &text,
        "regimes[0].sanctions[0].probability",
        "probability = -0.1",
        "-0.1",
    );
    assert_msg(&d, &["probability in [0, 1]", "-0.1"]);
}

#[test]
fn probability_written_as_percent_number_says_how_to_write_it() {
    let text = base_with("probability = 0.02", "probability = 2");
    let d = single_error(
        &text,
        "regimes[0].inspection.probability",
        "probability = 2\n",
        "2",
    );
    assert_msg(&d, &["probability in [0, 1]"]);
    assert_help(&d, &["0.02", "\"2%\""]);
}

#[test]
fn negative_unit_value() {
    let text = base_with("unit_value = 40.0", "unit_value = -3");
    let d = single_error(&text, "goods.unit_value", "unit_value = -3", "-3");
    assert_msg(&d, &[">= 0", "-3"]);
}

#[test]
fn normal_price_without_min_can_go_negative() {
    let line = "unit_value = { dist = \"normal\", mean = 40.0, sd = 10.0 }";
    let text = base_with("unit_value = 40.0", line);
    let d = single_error(&text, "goods.unit_value", line, "{");
    assert_msg(&d, &["negative"]);
    assert_help(&d, &["min"]);
    // The same normal truncated at 0 is fine.
    load(&base_with(
        "unit_value = 40.0",
        "unit_value = { dist = \"normal\", mean = 40.0, sd = 10.0, min = 0.0 }",
    ));
}

#[test]
fn negative_freight_rate_in_a_uniform() {
    let line = "rate = { dist = \"uniform\", min = -100.0, max = 3000.0 }";
    let text = base_with("rate = 2800.0", line);
    let d = located(&text, "routes[0].legs[0].rate", line, "{");
    assert_msg(&d, &["negative"]);
}

#[test]
fn negative_sigma() {
    let line = "KRW = { dist = \"lognormal\", median = 1380.0, sigma = -0.08 }";
    let text = base_with("KRW = 1380.0", line);
    let d = single_error(&text, "fx.KRW.sigma", line, "-0.08");
    assert_msg(&d, &["sigma", "-0.08"]);
}

#[test]
fn triangular_min_above_mode() {
    let line = "days = { dist = \"triangular\", min = 20.0, mode = 18.0, max = 25.0 }";
    let text = base_with("days = 18.0", line);
    let d = single_error(&text, "routes[0].legs[0].days.mode", line, "18.0");
    assert_msg(&d, &["mode", "min", "20", "max", "25"]);
}

#[test]
fn pert_min_above_mode() {
    let line = "cost = { dist = \"pert\", min = 6000.0, mode = 5000.0, max = 7000.0 }";
    let text = base_with("cost = 5000.0", line);
    let d = single_error(&text, "routes[1].processing.cost.mode", line, "5000.0");
    assert_msg(&d, &["mode", "6000", "7000"]);
}

#[test]
fn uniform_min_above_max() {
    let line = "fees = { dist = \"uniform\", min = 0.3, max = 0.1 }";
    let text = base_with("fees = 0.1", line);
    let d = single_error(&text, "routes[0].legs[0].fees.max", line, "0.1 }");
    assert_msg(&d, &["max", "min", "0.3", "0.1"]);
}

#[test]
fn required_distribution_parameter_missing() {
    let line = "days = { dist = \"pert\", min = 2.0, max = 4.0 }";
    let text = base_with("days = 3.0", line);
    let d = single_error(&text, "routes[1].legs[0].days.mode", line, "{");
    assert_msg(&d, &["missing key `mode`"]);
}

#[test]
fn distribution_table_without_dist() {
    let line = "days = { min = 2.0, max = 4.0 }";
    let text = base_with("days = 3.0", line);
    let e = fail(&text);
    let d = error_at(&e, "routes[1].legs[0].days.dist");
    assert_loc(d, at(&text, line, "{"));
    assert_msg(d, &["missing key `dist`"]);
}

#[test]
fn zero_units() {
    let text = base_with("units = 2000", "units = 0");
    let d = single_error(&text, "goods.units", "units = 0", "0");
    assert_msg(&d, &["> 0"]);
}

// ---------------------------------------------------------------------------------------
// Rates
// ---------------------------------------------------------------------------------------

#[test]
fn rate_of_60_is_an_error_saying_how_to_write_it() {
    let text = base_with("ad_valorem = 0.60", "ad_valorem = 60");
    let d = single_error(
        &text,
        "regimes[1].measures[0].ad_valorem",
        "ad_valorem = 60",
        "60",
    );
    assert_msg(&d, &["6000%"]);
    assert_help(&d, &["0.6", "\"60%\""]);
}

#[test]
fn rate_just_above_5_prints_a_clean_percentage() {
    let text = base_with("ad_valorem = 0.60", "ad_valorem = 5.1");
    let d = single_error(
        &text,
        "regimes[1].measures[0].ad_valorem",
        "ad_valorem = 5.1",
        "5.1",
    );
    assert!(d.message.contains("510%"), "{d}");
    assert!(!d.message.contains("509.99"), "{d}");
}

#[test]
fn rate_written_as_600_percent_string_gets_a_sensible_help() {
    let text = base_with("ad_valorem = 0.60", "ad_valorem = \"600%\"");
    let d = single_error(
        &text,
        "regimes[1].measures[0].ad_valorem",
        "ad_valorem = \"600%\"",
        "\"600%\"",
    );
    assert_msg(&d, &["600%"]);
    let help = d.help.as_deref().unwrap_or("");
    assert!(!help.contains("write 6% as"), "{d}");
}

#[test]
fn rate_of_3_4_is_a_warning_reading_340_percent() {
    let text = base_with("ad_valorem = 0.60", "ad_valorem = 3.4");
    let b = load(&text);
    let w = only(&b.warnings, "regimes[1].measures[0].ad_valorem");
    assert_eq!(w.severity, Severity::Warning);
    assert_loc(w, at(&text, "ad_valorem = 3.4", "3.4"));
    assert!(w.message.contains("340%"), "{w}");
    assert!(
        (b.scenario.regimes[1].measures[2].ad_valorem - 3.4).abs() < 1e-12,
        "the rate is kept as written"
    );
}

#[test]
fn rate_distribution_reaching_above_1_warns() {
    let line = "markup = { dist = \"uniform\", min = 0.0, max = 1.5 }";
    let text = base_with("markup = 0.05", line);
    let b = load(&text);
    let w = only(&b.warnings, "routes[1].processing.markup");
    assert_loc(w, at(&text, line, "{"));
    assert!(w.message.contains("150%"), "{w}");
}

#[test]
fn rates_as_percent_strings_are_accepted() {
    let text = base_edits(&[
        ("ad_valorem = 0.25", "ad_valorem = \"25%\""),
        ("detection = 0.06", "detection = \"6%\""),
        ("rvc_threshold = 0.45", "rvc_threshold = \"45%\""),
        (
            "owners = { alibaba = 0.5, shinsegae = 0.5 }",
            "owners = { alibaba = \"50%\", shinsegae = \"50 %\" }",
        ),
        ("markup = 0.05", "markup = \"5%\""),
        ("probability = 0.10", "probability = \"10%\""),
    ]);
    let b = load(&text);
    assert!(b.warnings.is_empty(), "{}", dump(&b.warnings));
    let s = &b.scenario;
    let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
    assert!(close(s.regimes[0].measures[1].ad_valorem, 0.25));
    assert!(close(
        s.regimes[0].enforcement.as_ref().unwrap().detection,
        0.06
    ));
    assert!(close(s.regimes[0].agreements[0].rvc_threshold, 0.45));
    assert!(close(s.entities[0].owners[0].1, 0.5));
    assert!(close(s.entities[0].owners[1].1, 0.5));
    assert!(close(s.regimes[0].sanctions[0].probability, 0.10));
}

#[test]
fn percent_strings_are_not_accepted_for_money() {
    let text = base_with("unit_value = 40.0", "unit_value = \"40%\"");
    let d = single_error(&text, "goods.unit_value", "unit_value = \"40%\"", "\"40%\"");
    assert_msg(&d, &["found a string"]);
}

// ---------------------------------------------------------------------------------------
// Legs and processing
// ---------------------------------------------------------------------------------------

#[test]
fn first_leg_not_leaving_the_origin_points_at_from() {
    let text = base_with("from = \"CN\"\nto = \"US\"", "from = \"HK\"\nto = \"US\"");
    located(&text, "routes[0].legs[0].from", "from = \"HK\"", "\"HK\"");
}

#[test]
fn gap_between_legs_points_at_from() {
    let text = base_with("from = \"KR\"\nto = \"US\"", "from = \"JP\"\nto = \"US\"");
    single_error(&text, "routes[1].legs[1].from", "from = \"JP\"", "\"JP\"");
}

#[test]
fn last_leg_not_arriving_in_the_us_points_at_to() {
    let text = base_with("from = \"KR\"\nto = \"US\"", "from = \"KR\"\nto = \"MX\"");
    single_error(&text, "routes[1].legs[1].to", "to = \"MX\"", "\"MX\"");
}

#[test]
fn processing_country_error_points_at_country_and_names_route() {
    let text = base_with("country = \"KR\"", "country = \"VN\"");
    let d = single_error(
        &text,
        "routes[1].processing.country",
        "country = \"VN\"",
        "\"VN\"",
    );
    assert_msg(&d, &["`korea`"]);
}

#[test]
fn processing_in_the_origin_needs_no_leg_there() {
    let text = base_with("country = \"KR\"", "country = \"CN\"");
    let b = load(&text);
    assert_eq!(b.scenario.routes[1].legs_before, 0);
}

#[test]
fn unknown_leg_mode() {
    let text = base_with(
        "mode = \"ocean\"\nrate = 2800.0",
        "mode = \"sea\"\nrate = 2800.0",
    );
    let d = located(&text, "routes[0].legs[0].mode", "mode = \"sea\"", "\"sea\"");
    assert_msg(&d, &["unknown mode `sea`"]);
    assert_help(&d, &["ocean", "air", "parcel"]);
}

#[test]
fn route_without_legs() {
    let text = base_with(
        "[[routes.legs]]\nfrom = \"CN\"\nto = \"US\"\nmode = \"ocean\"\nrate = 2800.0\ndays = 18.0\nfees = 0.1\n",
        "",
    );
    let e = fail(&text);
    let d = error_at(&e, "routes[0].legs");
    assert_loc(d, at(&text, "[[routes]]\nname = \"direct\"", "["));
    assert_msg(d, &["at least one"]);
}

// ---------------------------------------------------------------------------------------
// Dangling names
// ---------------------------------------------------------------------------------------

#[test]
fn dangling_fallback() {
    let text = base_with("fallback = \"direct\"", "fallback = \"drect\"");
    let d = located(
        &text,
        "routes[1].fallback",
        "fallback = \"drect\"",
        "\"drect\"",
    );
    assert_msg(&d, &["`drect`", "route"]);
    assert_help(&d, &["`direct`"]);
}

#[test]
fn dangling_base() {
    let text = base_with("base = \"status-quo\"", "base = \"status-qou\"");
    let e = fail(&text);
    let d = error_at(&e, "regimes[1].base");
    assert_loc(d, at(&text, "base = \"status-qou\"", "\"status-qou\""));
    assert_msg(d, &["`status-qou`", "regime"]);
    assert_help(d, &["`status-quo`"]);
}

#[test]
fn dangling_base_is_the_only_error() {
    // The regime with a dangling base is dropped; nothing else should cascade from it.
    let text = base_with("base = \"status-quo\"", "base = \"status-qou\"");
    let e = fail(&text);
    assert_eq!(e.errors.len(), 1, "{}", dump(&e.errors));
}

#[test]
fn dangling_remove() {
    let text = base_with("remove = []", "remove = [\"Section 310\"]");
    let d = single_error(
        &text,
        "regimes[1].remove[0]",
        "remove = [\"Section 310\"]",
        "\"Section 310\"",
    );
    assert_msg(&d, &["`Section 310`"]);
    assert_help(&d, &["`Section 301`"]);
}

#[test]
fn remove_can_name_an_agreement_or_sanction_of_the_base() {
    let text = base_edits(&[
        ("remove = []", "remove = [\"KORUS\", \"OFAC Alibaba\"]"),
        ("waived_by = [\"KORUS\"]", "waived_by = []"),
    ]);
    let b = load(&text);
    assert!(b.scenario.regimes[1].agreements.is_empty());
    assert!(b.scenario.regimes[1].sanctions.is_empty());
}

#[test]
fn dangling_replaces() {
    let text = base_with(
        "replaces = [\"Section 301\"]",
        "replaces = [\"Section 310\"]",
    );
    let d = single_error(
        &text,
        "regimes[1].measures[0].replaces[0]",
        "replaces = [\"Section 310\"]",
        "\"Section 310\"",
    );
    assert_msg(&d, &["`Section 310`", "measure"]);
    assert_help(&d, &["`Section 301`"]);
}

#[test]
fn dangling_floor_over() {
    let text = base_with("floor_over = [\"MFN\"]", "floor_over = [\"MNF\"]");
    let d = single_error(
        &text,
        "regimes[1].measures[0].floor_over[0]",
        "floor_over = [\"MNF\"]",
        "\"MNF\"",
    );
    assert_msg(&d, &["`MNF`", "measure"]);
    // Jaro-Winkler finds no near name for a 3-letter transposition; the list names it.
    assert_help(&d, &["MFN"]);
}

#[test]
fn dangling_waived_by() {
    let text = base_with("waived_by = [\"KORUS\"]", "waived_by = [\"KORSU\"]");
    let e = fail(&text);
    // The measure is inherited by `campaign`, so both regimes may report it; every report
    // must point at the one place it was written.
    assert!(!e.errors.is_empty());
    let (line, col) = at(&text, "waived_by = [\"KORSU\"]", "\"KORSU\"");
    for d in &e.errors {
        assert_eq!(d.path, "regimes[0].measures[0].waived_by[0]", "{d}");
        assert_loc(d, (line, col));
        assert_msg(d, &["`KORSU`", "agreement"]);
        assert_help(d, &["`KORUS`"]);
    }
}

#[test]
fn dangling_waived_by_reported_once() {
    let text = base_with("waived_by = [\"KORUS\"]", "waived_by = [\"KORSU\"]");
    single_error(
        &text,
        "regimes[0].measures[0].waived_by[0]",
        "waived_by = [\"KORSU\"]",
        "\"KORSU\"",
    );
}

#[test]
fn dangling_goods_currency() {
    let text = base_with("currency = \"USD\"", "currency = \"KRWW\"");
    let d = single_error(&text, "goods.currency", "currency = \"KRWW\"", "\"KRWW\"");
    assert_msg(&d, &["`KRWW`", "currency"]);
    assert_help(&d, &["`KRW`"]);
}

#[test]
fn dangling_processing_currency() {
    let text = base_with("currency = \"KRW\"", "currency = \"KWR\"");
    let d = single_error(
        &text,
        "routes[1].processing.currency",
        "currency = \"KWR\"",
        "\"KWR\"",
    );
    assert_msg(&d, &["`KWR`"]);
    assert_help(&d, &["KRW"]);
}

#[test]
fn operator_naming_nobody() {
    let text = base_with("operator = \"jv\"", "operator = \"jvv\"");
    let e = fail(&text);
    let d = error_at(&e, "routes[1].operator");
    assert_loc(d, at(&text, "operator = \"jvv\"", "\"jvv\""));
    assert_msg(d, &["`jvv`", "entity"]);
    assert_help(d, &["`jv`"]);
    assert_eq!(e.errors.len(), 1, "{}", dump(&e.errors));
}

#[test]
fn operator_may_name_an_owner_or_a_target() {
    load(&base_with("operator = \"jv\"", "operator = \"shinsegae\""));
    load(&base_with("operator = \"jv\"", "operator = \"alibaba\""));
}

// ---------------------------------------------------------------------------------------
// Cycles
// ---------------------------------------------------------------------------------------

#[test]
fn fallback_cycle_is_reported() {
    let text = base_with(
        "name = \"direct\"\norigin = \"CN\"",
        "name = \"direct\"\norigin = \"CN\"\nfallback = \"korea\"",
    );
    let e = fail(&text);
    let loops: Vec<&Diagnostic> = e
        .errors
        .iter()
        .filter(|d| d.message.contains("loop"))
        .collect();
    assert!(!loops.is_empty(), "{}", dump(&e.errors));
    let d = error_at(&e, "routes[0].fallback");
    assert_loc(d, at(&text, "fallback = \"korea\"", "\"korea\""));
    assert_msg(d, &["loop", "direct", "korea"]);
}

#[test]
fn fallback_cycle_reports_only_the_loop() {
    let text = base_with(
        "name = \"direct\"\norigin = \"CN\"",
        "name = \"direct\"\norigin = \"CN\"\nfallback = \"korea\"",
    );
    let e = fail(&text);
    for d in &e.errors {
        assert!(d.message.contains("loop"), "unexpected error:\n  {d}");
    }
}

#[test]
fn self_fallback_is_reported() {
    let text = base_with("fallback = \"direct\"", "fallback = \"korea\"");
    let e = fail(&text);
    let d = error_at(&e, "routes[1].fallback");
    assert_loc(d, at(&text, "fallback = \"korea\"", "\"korea\""));
    assert_msg(d, &["loop", "korea"]);
}

#[test]
fn base_cycle_is_reported() {
    let text = base_with(
        "name = \"status-quo\"\n",
        "name = \"status-quo\"\nbase = \"campaign\"\n",
    );
    let e = fail(&text);
    assert!(!e.errors.is_empty());
    for d in &e.errors {
        assert_msg(d, &["loop", "status-quo", "campaign"]);
    }
    let d0 = error_at(&e, "regimes[0].base");
    assert_loc(d0, at(&text, "base = \"campaign\"", "\"campaign\""));
    let d1 = error_at(&e, "regimes[1].base");
    assert_loc(d1, at(&text, "base = \"status-quo\"", "\"status-quo\""));
}

#[test]
fn self_base_is_reported() {
    let text = base_with("base = \"status-quo\"", "base = \"campaign\"");
    let d = single_error(
        &text,
        "regimes[1].base",
        "base = \"campaign\"",
        "\"campaign\"",
    );
    assert_msg(&d, &["loop", "campaign"]);
}

// ---------------------------------------------------------------------------------------
// Routes that can be stopped need a fallback
// ---------------------------------------------------------------------------------------

/// Every error is the "can be stopped … but has no fallback" of `route` at `path`, one per
/// regime in `regimes`, pointing at the route's header.
fn assert_stopped(text: &str, route: &str, path: &str, regimes: &[&str], why: &str) {
    let e = fail(text);
    assert_eq!(e.errors.len(), regimes.len(), "{}", dump(&e.errors));
    let header = format!("[[routes]]\nname = \"{route}\"");
    let loc = at(text, &header, "[");
    for (d, regime) in e.errors.iter().zip(regimes) {
        assert_eq!(d.path, path, "{d}");
        assert_loc(d, loc);
        assert_msg(
            d,
            &[
                &format!("`{route}`"),
                &format!("`{regime}`"),
                "fallback",
                why,
            ],
        );
        assert_help(d, &["fallback"]);
    }
}

#[test]
fn sanction_can_stop_a_jv_route_without_fallback() {
    // alibaba owns 50% of the JV; threshold 0.5 catches it.
    let text = base_with("fallback = \"direct\"\n", "");
    assert_stopped(
        &text,
        "korea",
        "routes[1]",
        &["status-quo", "campaign"],
        "OFAC Alibaba",
    );
}

#[test]
fn sanction_below_threshold_needs_no_fallback() {
    let text = base_edits(&[
        ("fallback = \"direct\"\n", ""),
        ("ownership_threshold = 0.5", "ownership_threshold = 0.51"),
    ]);
    load(&text);
}

#[test]
fn seizure_can_stop_a_false_claim_without_fallback() {
    let text = base_edits(&[
        (
            "operator = \"jv\"\nfallback = \"direct\"\n",
            "declare = \"KR\"\n",
        ),
        ("transforms = true", "transforms = false"),
        ("seizure = 0.0", "seizure = 0.5"),
    ]);
    assert_stopped(
        &text,
        "korea",
        "routes[1]",
        &["status-quo", "campaign"],
        "seized",
    );
}

#[test]
fn exclusion_can_stop_a_route_declared_from_an_inspected_origin() {
    // `direct` files CN, inspected with exclusion > 0; `korea` files KR (it transforms).
    let text = base_with("exclusion = 0.0", "exclusion = 0.1");
    assert_stopped(
        &text,
        "direct",
        "routes[0]",
        &["status-quo", "campaign"],
        "CN",
    );
}

// ---------------------------------------------------------------------------------------
// Entities and duplicates
// ---------------------------------------------------------------------------------------

#[test]
fn owners_summing_above_one() {
    let line = "owners = { alibaba = 0.6, shinsegae = 0.5 }";
    let text = base_with("owners = { alibaba = 0.5, shinsegae = 0.5 }", line);
    let d = single_error(&text, "entities[0].owners", line, "{");
    assert_msg(&d, &["sum", "1.1", "above 1"]);
}

/// A duplicate name: one error at the second table's header, path `path`, help pointing
/// at the first.
fn assert_duplicate(text: &str, path: &str, second_header: &str, first_header: &str, what: &str) {
    let e = fail(text);
    let d = error_at(&e, path);
    assert_loc(d, at(text, second_header, "["));
    assert_msg(d, &["duplicate", what]);
    let (l, c) = at(text, first_header, "[");
    assert_help(d, &[&format!("{FILE}:{l}:{c}")]);
}

#[test]
fn duplicate_regime_names() {
    let text = base_with(
        "name = \"campaign\"\nbase = \"status-quo\"",
        "name = \"status-quo\"",
    );
    assert_duplicate(
        &text,
        "regimes[1]",
        "[[regimes]]\nname = \"status-quo\"\nremove",
        "[[regimes]]\nname = \"status-quo\"\n[[regimes.measures]]",
        "regime",
    );
}

#[test]
fn duplicate_measure_names_within_a_regime() {
    let text = base_with("name = \"Section 301\"", "name = \"MFN\"");
    assert_duplicate(
        &text,
        "regimes[0].measures[1]",
        "[[regimes.measures]]\nname = \"MFN\"\norigins = [\"CN\"]",
        "[[regimes.measures]]\nname = \"MFN\"\norigins = [\"*\"]",
        "measure",
    );
}

#[test]
fn same_measure_name_in_a_derived_regime_replaces_and_is_no_duplicate() {
    let text = base_with("name = \"china-60\"", "name = \"Section 301\"");
    let text = edit(&text, "replaces = [\"Section 301\"]", "replaces = []");
    let b = load(&text);
    let m = &b.scenario.regimes[1].measures;
    assert_eq!(m.len(), 2);
    assert!((m[1].ad_valorem - 0.60).abs() < 1e-12);
}

#[test]
fn duplicate_entity_names() {
    let text = base_with(
        "[[routes]]\nname = \"direct\"",
        "[[entities]]\nname = \"jv\"\n\n[[routes]]\nname = \"direct\"",
    );
    assert_duplicate(
        &text,
        "entities[1]",
        "[[entities]]\nname = \"jv\"\n\n[[routes]]",
        "[[entities]]\nname = \"jv\"\nowners",
        "entity",
    );
}

#[test]
fn duplicate_route_name_points_at_the_name() {
    let text = base_with("name = \"korea\"", "name = \"direct\"");
    let e = fail(&text);
    let d = error_at(&e, "routes[1].name");
    assert_loc(
        d,
        at(
            &text,
            "name = \"direct\"\norigin = \"CN\"\noperator",
            "\"direct\"",
        ),
    );
}

// ---------------------------------------------------------------------------------------
// Missing required keys and tables
// ---------------------------------------------------------------------------------------

#[test]
fn missing_goods_units() {
    let text = base_with("units = 2000\n", "");
    let d = single_error(&text, "goods.units", "[goods]", "[");
    assert_msg(&d, &["missing key `units`", "> 0"]);
}

#[test]
fn missing_leg_rate() {
    let text = base_with("rate = 300.0\n", "");
    let d = located(
        &text,
        "routes[1].legs[0].rate",
        "[[routes.legs]]\nfrom = \"CN\"\nto = \"KR\"",
        "[",
    );
    assert_msg(&d, &["missing key `rate`"]);
}

#[test]
fn missing_scenario_name() {
    let text = base_with("name = \"base\"\n", "");
    let d = single_error(&text, "scenario.name", "[scenario]", "[");
    assert_msg(&d, &["missing key `name`", "string"]);
}

#[test]
fn missing_route_origin() {
    let text = base_with(
        "name = \"direct\"\norigin = \"CN\"\n",
        "name = \"direct\"\n",
    );
    let d = located(
        &text,
        "routes[0].origin",
        "[[routes]]\nname = \"direct\"",
        "[",
    );
    assert_msg(&d, &["missing key `origin`"]);
}

#[test]
fn missing_detection_in_enforcement() {
    let text = base_with("detection = 0.06\n", "");
    let d = single_error(
        &text,
        "regimes[0].enforcement.detection",
        "[regimes.enforcement]",
        "[",
    );
    assert_msg(&d, &["missing key `detection`"]);
}

#[test]
fn missing_goods_table() {
    let text = base_edits(&[
        ("[goods]\n", ""),
        ("hs = \"8517.62\"\n", ""),
        ("unit_value = 40.0\n", ""),
        ("currency = \"USD\"\n", ""),
        ("units = 2000\n", ""),
        ("kg_per_unit = 0.4\n", ""),
        ("units_per_feu = 8000\n", ""),
        ("carrying_rate = 0.15\n", ""),
    ]);
    let e = fail(&text);
    let d = error_at(&e, "goods");
    assert_msg(d, &["missing table `[goods]`"]);
}

#[test]
fn missing_regimes() {
    let cut = BASE.find("[[regimes]]").unwrap();
    let text = &BASE[..cut];
    let e = fail(text);
    let d = error_at(&e, "regimes");
    assert_msg(d, &["at least one `[[regimes]]`"]);
}

#[test]
fn empty_name_is_rejected() {
    let text = base_with("name = \"direct\"", "name = \" \"");
    let e = fail(&text);
    let d = error_at(&e, "routes[0].name");
    assert_loc(d, at(&text, "name = \" \"", "\" \""));
    assert_msg(d, &["empty"]);
}

// ---------------------------------------------------------------------------------------
// False claims without enforcement: a warning
// ---------------------------------------------------------------------------------------

#[test]
fn false_claim_without_enforcement_is_a_warning_naming_route_and_regime() {
    let text = base_edits(&[
        (
            "fallback = \"direct\"\n",
            "fallback = \"direct\"\ndeclare = \"KR\"\n",
        ),
        ("transforms = true", "transforms = false"),
        (
            "[regimes.enforcement]\ndetection = 0.06\npenalty_multiple = 2.0\nseizure = 0.0\n",
            "",
        ),
    ]);
    let b = load(&text);
    assert_eq!(b.warnings.len(), 2, "{}", dump(&b.warnings));
    let loc = at(&text, "declare = \"KR\"", "\"KR\"");
    for (w, regime) in b.warnings.iter().zip(["status-quo", "campaign"]) {
        assert_eq!(w.severity, Severity::Warning);
        assert_eq!(w.path, "routes[1].declare", "{w}");
        assert_loc(w, loc);
        assert_msg(w, &["`korea`", &format!("`{regime}`"), "enforcement"]);
    }
    assert_eq!(b.scenario.routes[1].declare, Declare::Country("KR".into()));
}

#[test]
fn false_claim_with_enforcement_is_silent() {
    let text = base_edits(&[
        (
            "fallback = \"direct\"\n",
            "fallback = \"direct\"\ndeclare = \"KR\"\n",
        ),
        ("transforms = true", "transforms = false"),
    ]);
    let b = load(&text);
    assert!(b.warnings.is_empty(), "{}", dump(&b.warnings));
}

#[test]
fn false_claim_warning_survives_alongside_errors() {
    let text = base_edits(&[
        (
            "fallback = \"direct\"\n",
            "fallback = \"direct\"\ndeclare = \"KR\"\n",
        ),
        ("transforms = true", "transforms = false"),
        (
            "[regimes.enforcement]\ndetection = 0.06\npenalty_multiple = 2.0\nseizure = 0.0\n",
            "",
        ),
        ("units = 2000", "units = -1"),
    ]);
    let e = fail(&text);
    assert_eq!(e.errors.len(), 1, "{}", dump(&e.errors));
    assert!(
        e.warnings.iter().any(|w| w.path == "routes[1].declare"),
        "warnings: {}",
        dump(&e.warnings)
    );
}

// ---------------------------------------------------------------------------------------
// All errors at once, sorted by line
// ---------------------------------------------------------------------------------------

#[test]
fn many_independent_mistakes_are_reported_together_in_line_order() {
    let text = base_edits(&[
        ("unit_value = 40.0", "unit_valu = 40.0"),
        ("rate = 300.0", "rate = -300.0"),
        (
            "mode = \"ocean\"\nrate = 2600.0",
            "mode = \"boat\"\nrate = 2600.0",
        ),
        ("ad_valorem = 0.25", "ad_valorem = 25"),
        ("rvc_threshold = 0.45", "rvc_threshold = 1.45"),
        ("detection = 0.06", "detecton = 0.06"),
        ("base = \"status-quo\"", "base = \"status-qou\""),
    ]);
    let e = fail(&text);
    let expect = [
        ("goods.unit_valu", at(&text, "unit_valu =", "unit_valu")),
        ("goods.unit_value", at(&text, "[goods]", "[")),
        ("routes[1].legs[0].rate", at(&text, "-300.0", "-300.0")),
        ("routes[1].legs[1].mode", at(&text, "\"boat\"", "\"boat\"")),
        (
            "regimes[0].measures[1].ad_valorem",
            at(&text, "ad_valorem = 25", "25"),
        ),
        (
            "regimes[0].agreements[0].rvc_threshold",
            at(&text, "1.45", "1.45"),
        ),
        (
            "regimes[0].enforcement.detection",
            at(&text, "[regimes.enforcement]", "["),
        ),
        (
            "regimes[0].enforcement.detecton",
            at(&text, "detecton", "detecton"),
        ),
        (
            "regimes[1].base",
            at(&text, "\"status-qou\"", "\"status-qou\""),
        ),
    ];
    for (path, loc) in expect {
        let d = error_at(&e, path);
        assert_loc(d, loc);
    }
    assert!(e.errors.len() >= expect.len(), "{}", dump(&e.errors));
    let lines: Vec<(u32, u32)> = e.errors.iter().map(|d| (d.loc.line, d.loc.col)).collect();
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(
        lines,
        sorted,
        "errors not in file order:\n{}",
        dump(&e.errors)
    );
    // The rendered error lists each one and counts them.
    let shown = e.to_string();
    assert!(shown.contains("error: bad.toml:"), "{shown}");
    assert!(
        shown.ends_with(&format!(
            "{} errors in the scenario; nothing was run",
            e.errors.len()
        )),
        "{shown}"
    );
}

#[test]
fn cross_table_errors_are_reported_even_when_scenario_name_is_missing() {
    let text = base_edits(&[
        ("name = \"base\"\n", ""),
        ("operator = \"jv\"", "operator = \"jvv\""),
    ]);
    let e = fail(&text);
    error_at(&e, "scenario.name");
    error_at(&e, "routes[1].operator");
}

#[test]
fn diagnostic_display_has_file_line_col_path_and_help() {
    let text = base_with("unit_value = 40.0", "unit_valu = 40.0");
    let e = fail(&text);
    let d = error_at(&e, "goods.unit_valu");
    assert_eq!(
        d.to_string(),
        "error: bad.toml:9:1: `goods.unit_valu`: unknown key `unit_valu`\n  help: did you mean `unit_value`?"
    );
}

#[test]
fn one_mistake_in_a_fallback_route_gives_one_error() {
    let mistakes: &[(&str, &str)] = &[
        ("rate = 2800.0", "rate = -2800.0"),
        (
            "mode = \"ocean\"\nrate = 2800.0",
            "mode = \"sea\"\nrate = 2800.0",
        ),
        ("from = \"CN\"\nto = \"US\"", "from = \"HK\"\nto = \"US\""),
        (
            "name = \"direct\"\norigin = \"CN\"\n",
            "name = \"direct\"\n",
        ),
        ("rate = 2800.0\n", ""),
    ];
    for (from, to) in mistakes {
        let e = fail(&base_with(from, to));
        assert_eq!(
            e.errors.len(),
            1,
            "after `{from}` -> `{to}` expected one error, got:\n{}",
            dump(&e.errors)
        );
        assert!(e.errors[0].path.starts_with("routes[0]"), "{}", e.errors[0]);
    }
}

#[test]
fn dangling_fallback_is_the_only_error() {
    let text = base_with("fallback = \"direct\"", "fallback = \"drect\"");
    single_error(
        &text,
        "routes[1].fallback",
        "fallback = \"drect\"",
        "\"drect\"",
    );
}

#[test]
fn missing_leg_rate_is_the_only_error() {
    let text = base_with("rate = 300.0\n", "");
    single_error(
        &text,
        "routes[1].legs[0].rate",
        "[[routes.legs]]\nfrom = \"CN\"\nto = \"KR\"",
        "[",
    );
}

#[test]
fn dangling_fallback_reported_even_when_its_route_has_another_error() {
    let text = base_edits(&[
        ("rate = 300.0", "rate = -300.0"),
        ("fallback = \"direct\"", "fallback = \"drect\""),
    ]);
    let e = fail(&text);
    error_at(&e, "routes[1].legs[0].rate");
    let d = error_at(&e, "routes[1].fallback");
    assert_help(d, &["`direct`"]);
}

#[test]
fn probability_help_prints_a_clean_fraction() {
    let text = base_with("rvc_threshold = 0.45", "rvc_threshold = 1.45");
    let d = single_error(
        &text,
        "regimes[0].agreements[0].rvc_threshold",
        "rvc_threshold = 1.45",
        "1.45",
    );
    assert_help(&d, &["0.0145 "]);
    assert!(!d.help.as_deref().unwrap_or("").contains("99999"), "{d}");
}

// ---------------------------------------------------------------------------------------
// Tables and keys the validator lets through unread (docs/model.md: unknown keys are errors,
// every name a key refers to must exist)
// ---------------------------------------------------------------------------------------

#[test]
fn unknown_key_in_sweep() {
    let text = format!("{BASE}\n[[sweep]]\npth = \"regimes.campaign.measures.china-60.ad_valorem\"\nvalues = [0.0, 0.3]\n");
    let e = fail(&text);
    let d = error_at(&e, "sweep[0].pth");
    assert_loc(d, at(&text, "pth =", "pth"));
    assert_help(d, &["`path`"]);
}

#[test]
fn sweep_path_naming_nothing() {
    let text = format!("{BASE}\n[[sweep]]\npath = \"regimes.campaign.measures.china-6.ad_valorem\"\nvalues = [0.0, 0.3]\n");
    let e = fail(&text);
    let d = error_at(&e, "sweep[0].path");
    assert_loc(d, at(&text, "path = \"regimes", "\"regimes"));
    assert_help(d, &["china-60"]);
}

#[test]
fn dangling_leg_market_and_bad_correlation() {
    let text = format!(
        "{}\n[markets.transpacific]\n",
        base_with(
            "days = 18.0",
            "days = 18.0\nmarket = \"transpacfic\"\ncorrelation = 3"
        )
    );
    let e = fail(&text);
    let d = error_at(&e, "routes[0].legs[0].market");
    assert_loc(d, at(&text, "market = \"transpacfic\"", "\"transpacfic\""));
    assert_help(d, &["`transpacific`"]);
    let c = error_at(&e, "routes[0].legs[0].correlation");
    assert_loc(c, at(&text, "correlation = 3", "3"));
}

#[test]
fn departure_of_the_wrong_type() {
    let text = base_with("seed = 7", "seed = 7\ndeparture = \"soon\"");
    single_error(
        &text,
        "scenario.departure",
        "departure = \"soon\"",
        "\"soon\"",
    );
}

#[test]
fn declare_written_as_a_boolean_gets_a_hint() {
    let text = base_with(
        "fallback = \"direct\"",
        "fallback = \"direct\"\ndeclare = true",
    );
    let d = single_error(&text, "routes[1].declare", "declare = true", "true");
    assert_help(&d, &["\"true\""]);
}

// ---------------------------------------------------------------------------------------
// Shipped scenarios
// ---------------------------------------------------------------------------------------

#[test]
fn shipped_scenarios_load_without_errors() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("scenarios/ exists") {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        // Through the file loader, so families (`extends`) resolve their bases.
        let name = path.display().to_string();
        let mut d = scenario::diag::Diagnostics::default();
        let read = |p: &std::path::Path| std::fs::read_to_string(p);
        let root = scenario::load::load_tree(&path, &read, &mut d);
        assert!(!d.has_errors(), "{name}: {:?}", d.errors());
        if let Err(e) = scenario::build::build(&root, &name) {
            panic!("{name} does not load:\n{e}");
        }
        n += 1;
    }
    assert!(n >= 1, "no scenarios found in {}", dir.display());
}

// ---------------------------------------------------------------------------------------
// docs/model.md v2.2: country codes, look-back, remove of tables, sanction defaults
// ---------------------------------------------------------------------------------------

/// A country written another way: one error at its value, suggesting `code`.
fn bad_country(from: &str, to: &str, path: &str, needle: &str, code: &str) {
    let text = base_with(from, to);
    let d = single_error(&text, path, to, needle);
    assert_msg(&d, &["not an ISO 3166-1 alpha-2 country code"]);
    assert_help(&d, &[&format!("`{code}`")]);
}

#[test]
fn country_names_and_lower_case_codes_are_errors_with_the_code_suggested() {
    bad_country(
        "origins = [\"CN\"]\nad_valorem = 0.25",
        "origins = [\"China\"]\nad_valorem = 0.25",
        "regimes[0].measures[1].origins[0]",
        "\"China\"",
        "CN",
    );
    bad_country(
        "name = \"direct\"\norigin = \"CN\"",
        "name = \"direct\"\norigin = \"cn\"",
        "routes[0].origin",
        "\"cn\"",
        "CN",
    );
    bad_country(
        "except = [\"CN\"]",
        "except = [\"CHN\"]",
        "regimes[0].de_minimis.except[0]",
        "\"CHN\"",
        "CN",
    );
    bad_country(
        "origins = [\"KR\"]\nrule",
        "origins = [\"South Korea\"]\nrule",
        "regimes[0].agreements[0].origins[0]",
        "\"South Korea\"",
        "KR",
    );
    bad_country(
        "country = \"KR\"",
        "country = \"Korea\"",
        "routes[1].processing.country",
        "\"Korea\"",
        "KR",
    );
}

#[test]
fn declare_of_a_lower_case_code_suggests_the_code() {
    let text = base_with("operator = \"jv\"", "operator = \"jv\"\ndeclare = \"my\"");
    let d = single_error(&text, "routes[1].declare", "declare = \"my\"", "\"my\"");
    assert_help(&d, &["`MY`"]);
}

#[test]
fn declare_true_in_capitals_is_an_error_not_a_country() {
    let text = base_with("operator = \"jv\"", "operator = \"jv\"\ndeclare = \"True\"");
    let d = single_error(&text, "routes[1].declare", "declare = \"True\"", "\"True\"");
    assert_help(&d, &["lower case"]);
}

#[test]
fn star_is_allowed_only_where_a_list_of_origins_allows_it() {
    let text = base_with("except = [\"CN\"]", "except = [\"*\"]");
    let d = single_error(
        &text,
        "regimes[0].de_minimis.except[0]",
        "except = [\"*\"]",
        "\"*\"",
    );
    assert_msg(&d, &["not allowed here"]);
}

#[test]
fn lookback_limit_needs_since_first() {
    let text = base_with("detection = 0.06", "detection = 0.06\nlookback_limit = 60");
    let d = single_error(
        &text,
        "regimes[0].enforcement.lookback_limit",
        "lookback_limit = 60",
        "60",
    );
    assert_msg(&d, &["only with `lookback_entries = \"since_first\"`"]);
    assert_help(&d, &["since_first"]);
    // With it, accepted and read.
    let text = base_with(
        "detection = 0.06",
        "detection = 0.06\nlookback_entries = \"since_first\"\nlookback_limit = 60",
    );
    let b = load(&text);
    let e = b.scenario.regimes[0].enforcement.as_ref().unwrap();
    assert_eq!(e.lookback, scenario::Lookback::SinceFirst { limit: 60.0 });
    // The child inherits it through `base`.
    let e = b.scenario.regimes[1].enforcement.as_ref().unwrap();
    assert_eq!(e.lookback, scenario::Lookback::SinceFirst { limit: 60.0 });
}

#[test]
fn lookback_limit_below_one_and_a_misspelt_since_first() {
    let text = base_with(
        "detection = 0.06",
        "detection = 0.06\nlookback_entries = \"since_first\"\nlookback_limit = 0.5",
    );
    let d = single_error(
        &text,
        "regimes[0].enforcement.lookback_limit",
        "lookback_limit = 0.5",
        "0.5",
    );
    assert_msg(&d, &["at least 1"]);
    let text = base_with(
        "detection = 0.06",
        "detection = 0.06\nlookback_entries = \"since_frist\"",
    );
    let d = single_error(
        &text,
        "regimes[0].enforcement.lookback_entries",
        "\"since_frist\"",
        "\"since_frist\"",
    );
    assert_help(&d, &["since_first"]);
}

#[test]
fn remove_names_a_table_of_the_base_or_is_an_error() {
    let b = load(&base_with(
        "remove = []",
        "remove = [\"de_minimis\", \"inspection\"]",
    ));
    assert!(b.scenario.regimes[1].de_minimis.is_none());
    assert!(b.scenario.regimes[1].inspection.is_none());
    assert!(b.scenario.regimes[0].de_minimis.is_some());
    // A table key the base lacks is a dangling name, with the base's names suggested.
    let text = base_edits(&[("remove = []", "remove = [\"de_minimus\"]")]);
    let d = single_error(
        &text,
        "regimes[1].remove[0]",
        "remove = [\"de_minimus\"]",
        "\"de_minimus\"",
    );
    assert_help(&d, &["`de_minimis`"]);
}

#[test]
fn a_child_table_needs_no_required_key_its_base_wrote() {
    // The child writes only `seizure`: `detection` (required) comes from the base.
    let text = format!("{BASE}[regimes.enforcement]\nseizure = 0.5\n");
    let b = load(&text);
    let e = b.scenario.regimes[1].enforcement.as_ref().unwrap();
    assert_eq!((e.detection, e.seizure), (0.06, 0.5));
    assert_eq!(e.penalty_multiple.is_fixed(), Some(2.0));
    // Without a base, a missing `detection` is still an error at the table.
    let text = base_with("detection = 0.06\n", "");
    let d = single_error(
        &text,
        "regimes[0].enforcement.detection",
        "[regimes.enforcement]",
        "[regimes.enforcement]",
    );
    assert_msg(&d, &["missing key `detection`"]);
}

#[test]
fn sanction_probability_defaults_to_one() {
    let b = load(&base_with("probability = 0.10\n", ""));
    assert_eq!(b.scenario.regimes[0].sanctions[0].probability, 1.0);
}
